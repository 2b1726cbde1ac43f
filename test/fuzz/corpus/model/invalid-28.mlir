func.func @mul_broadcast_scalar_side(%a: tensor<7xbf16>, %b: tensor<3x8xbf16>) {
  %0 = clip.mul %a, %b : (tensor<7xbf16>, tensor<3x8xbf16>) -> tensor<3x8xbf16>
  return
}
