func.func @rsqrt_result_type(%x: tensor<4xf32>) {
  %0 = "clip.rsqrt"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}
