func.func @concat_empty_generic() {
  %0 = "clip.concat"() <{axis = 0 : i64}> : () -> tensor<2x3xf32>
  return
}
