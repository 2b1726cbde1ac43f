func.func @param_dynamic() {
  %0 = clip.param "visual.proj" : tensor<?x512xf32>
  return
}
