func.func @sub_broadcast_leading(%a: tensor<3x1x4xi64>, %b: tensor<2x5x4xi64>) {
  %0 = clip.sub %a, %b : (tensor<3x1x4xi64>, tensor<2x5x4xi64>) -> tensor<3x5x4xi64>
  return
}
