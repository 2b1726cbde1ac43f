func.func @commuted(%x: tensor<4x8xf64>, %w: tensor<8xf64>, %b: tensor<8xf64>) -> tensor<4x8xf64> {
  %eps = clip.constant dense<1.0e-06> : tensor<1xf64>
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf64> -> tensor<4x1xf64>
  %c = clip.sub %x, %mean : (tensor<4x8xf64>, tensor<4x1xf64>) -> tensor<4x8xf64>
  %sq = clip.mul %c, %c : tensor<4x8xf64>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf64> -> tensor<4x1xf64>
  %ve = clip.add %eps, %var : (tensor<1xf64>, tensor<4x1xf64>) -> tensor<4x1xf64>
  %std = clip.sqrt %ve : tensor<4x1xf64>
  %n = clip.div %c, %std : (tensor<4x8xf64>, tensor<4x1xf64>) -> tensor<4x8xf64>
  %s = clip.mul %w, %n : (tensor<8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %y = clip.add %b, %s : (tensor<8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  return %y : tensor<4x8xf64>
}
