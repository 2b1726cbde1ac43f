func.func @reshape_result_type(%x: tensor<?x77x512xf32>) {
  %0 = clip.reshape %x [-1, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<2x77x8x64xf32>
  return
}
