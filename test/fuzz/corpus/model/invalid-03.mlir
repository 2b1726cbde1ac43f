func.func @input_empty_name() {
  %0 = clip.input "" : tensor<?x77xi64>
  return
}
