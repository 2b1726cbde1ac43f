func.func @reduce_max_repeated_axis(%x: tensor<2x3x4xi32>) {
  %0 = clip.reduce_max %x axes [0, 2, 0] : tensor<2x3x4xi32> -> tensor<3xi32>
  return
}
