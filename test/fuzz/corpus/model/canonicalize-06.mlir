func.func @shape_identities(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %r = clip.reshape %x [-1, 4] : tensor<?x4xf32> -> tensor<?x4xf32>
  %t = clip.transpose %x [0, 1] : tensor<?x4xf32> -> tensor<?x4xf32>
  %b = clip.broadcast %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %c = clip.concat %x axis 0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s = clip.reduce_sum %x axes [] : tensor<?x4xf32> -> tensor<?x4xf32>
  %k = clip.cast %x : tensor<?x4xf32> to tensor<?x4xf32>
  %sl = clip.slice %x axis 1 from 0 to 4 : tensor<?x4xf32> -> tensor<?x4xf32>
  return %r, %t, %b, %c, %s, %k, %sl : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}
