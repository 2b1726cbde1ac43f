func.func @forward() -> tensor<f32> {
  %x = clip.input "x" : tensor<2x4x8xf32>
  %w1 = clip.param "ln.weight" : tensor<8xf32>
  %b1 = clip.param "ln.bias" : tensor<8xf32>
  %wq = clip.param "qkv.weight" : tensor<24x8xf32>
  %bq = clip.param "qkv.bias" : tensor<24xf32>
  %wf = clip.param "fc.weight" : tensor<8x8xf32>
  %bf = clip.param "fc.bias" : tensor<8xf32>
  %h, %m, %r = clip.layer_norm %x, %w1, %b1 epsilon 1.0e-05 : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>)
  %qkv = clip.gemm %h, %wq transpose_rhs bias %bq : (tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
  %q = clip.slice %qkv axis 2 from 0 to 8 : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %k = clip.slice %qkv axis 2 from 8 to 16 : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %v = clip.slice %qkv axis 2 from 16 to 24 : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %a, %lse = clip.attention %q, %k, %v scale 0.35 causal : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>)
  %y = clip.gemm %a, %wf transpose_rhs bias %bf activation gelu residual %x : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %l = clip.reduce_mean %y axes [0, 1, 2] : tensor<2x4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
