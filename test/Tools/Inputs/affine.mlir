module {
  func.func @affine(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = clip.param "w" : tensor<2xf32>
    %b = clip.param "b" : tensor<2xf32>
    %s = clip.input "s" : tensor<f32>
    %xw = clip.mul %x, %w : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %y = clip.add %xw, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %z = clip.mul %y, %s : (tensor<?x2xf32>, tensor<f32>) -> tensor<?x2xf32>
    return %z : tensor<?x2xf32>
  }
}
