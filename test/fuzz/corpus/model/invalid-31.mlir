func.func @min_broadcast_dynamic(%a: tensor<?x3xf64>, %b: tensor<?x2xf64>) {
  %0 = clip.min %a, %b : (tensor<?x3xf64>, tensor<?x2xf64>) -> tensor<?x3xf64>
  return
}
