
module {
  func.func private @layer_norm(%x: tensor<?x77x512xf32>, %weight: tensor<512xf32>,
                                %bias: tensor<512xf32>) -> tensor<?x77x512xf32> {
    %eps = clip.constant dense<1.0e-05> : tensor<f32>
    %mean = clip.reduce_mean %x axes [2] keepdims : tensor<?x77x512xf32> -> tensor<?x77x1xf32>
    %centered = clip.sub %x, %mean : (tensor<?x77x512xf32>, tensor<?x77x1xf32>) -> tensor<?x77x512xf32>
    %squared = clip.mul %centered, %centered : tensor<?x77x512xf32>
    %var = clip.reduce_mean %squared axes [2] keepdims : tensor<?x77x512xf32> -> tensor<?x77x1xf32>
    %var_eps = clip.add %var, %eps : (tensor<?x77x1xf32>, tensor<f32>) -> tensor<?x77x1xf32>
    %rstd = clip.rsqrt %var_eps : tensor<?x77x1xf32>
    %normed = clip.mul %centered, %rstd : (tensor<?x77x512xf32>, tensor<?x77x1xf32>) -> tensor<?x77x512xf32>
    %scaled = clip.mul %normed, %weight : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    %out = clip.add %scaled, %bias : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    return %out : tensor<?x77x512xf32>
  }

  func.func private @attention(%x: tensor<?x77x512xf32>,
                               %in_proj_weight: tensor<1536x512xf32>,
                               %in_proj_bias: tensor<1536xf32>,
                               %out_proj_weight: tensor<512x512xf32>,
                               %out_proj_bias: tensor<512xf32>) -> tensor<?x77x512xf32> {
    %qkv_mm = clip.matmul %x, %in_proj_weight transpose_rhs : (tensor<?x77x512xf32>, tensor<1536x512xf32>) -> tensor<?x77x1536xf32>
    %qkv = clip.add %qkv_mm, %in_proj_bias : (tensor<?x77x1536xf32>, tensor<1536xf32>) -> tensor<?x77x1536xf32>

    %qkv_split = clip.reshape %qkv [-1, 77, 3, 8, 64] : tensor<?x77x1536xf32> -> tensor<?x77x3x8x64xf32>
    %qkv_heads = clip.transpose %qkv_split [2, 0, 3, 1, 4] : tensor<?x77x3x8x64xf32> -> tensor<3x?x8x77x64xf32>
    %q_1 = clip.slice %qkv_heads axis 0 from 0 to 1 : tensor<3x?x8x77x64xf32> -> tensor<1x?x8x77x64xf32>
    %k_1 = clip.slice %qkv_heads axis 0 from 1 to 2 : tensor<3x?x8x77x64xf32> -> tensor<1x?x8x77x64xf32>
    %v_1 = clip.slice %qkv_heads axis 0 from 2 to 3 : tensor<3x?x8x77x64xf32> -> tensor<1x?x8x77x64xf32>
    %q = clip.reshape %q_1 [-1, 8, 77, 64] : tensor<1x?x8x77x64xf32> -> tensor<?x8x77x64xf32>
    %k = clip.reshape %k_1 [-1, 8, 77, 64] : tensor<1x?x8x77x64xf32> -> tensor<?x8x77x64xf32>
    %v = clip.reshape %v_1 [-1, 8, 77, 64] : tensor<1x?x8x77x64xf32> -> tensor<?x8x77x64xf32>

    %scale = clip.constant dense<0.125> : tensor<f32>
    %q_scaled = clip.mul %q, %scale : (tensor<?x8x77x64xf32>, tensor<f32>) -> tensor<?x8x77x64xf32>
    %scores = clip.matmul %q_scaled, %k transpose_rhs : (tensor<?x8x77x64xf32>, tensor<?x8x77x64xf32>) -> tensor<?x8x77x77xf32>
    %mask = clip.causal_mask : tensor<77x77xf32>
    %masked = clip.add %scores, %mask : (tensor<?x8x77x77xf32>, tensor<77x77xf32>) -> tensor<?x8x77x77xf32>
    %probs = clip.softmax %masked axis 3 : tensor<?x8x77x77xf32>
    %context = clip.matmul %probs, %v : (tensor<?x8x77x77xf32>, tensor<?x8x77x64xf32>) -> tensor<?x8x77x64xf32>

    %context_t = clip.transpose %context [0, 2, 1, 3] : tensor<?x8x77x64xf32> -> tensor<?x77x8x64xf32>
    %merged = clip.reshape %context_t [-1, 77, 512] : tensor<?x77x8x64xf32> -> tensor<?x77x512xf32>
    %out_mm = clip.matmul %merged, %out_proj_weight transpose_rhs : (tensor<?x77x512xf32>, tensor<512x512xf32>) -> tensor<?x77x512xf32>
    %out = clip.add %out_mm, %out_proj_bias : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    return %out : tensor<?x77x512xf32>
  }

  func.func private @mlp(%x: tensor<?x77x512xf32>, %fc_weight: tensor<2048x512xf32>,
                         %fc_bias: tensor<2048xf32>, %proj_weight: tensor<512x2048xf32>,
                         %proj_bias: tensor<512xf32>) -> tensor<?x77x512xf32> {
    %fc_mm = clip.matmul %x, %fc_weight transpose_rhs : (tensor<?x77x512xf32>, tensor<2048x512xf32>) -> tensor<?x77x2048xf32>
    %fc = clip.add %fc_mm, %fc_bias : (tensor<?x77x2048xf32>, tensor<2048xf32>) -> tensor<?x77x2048xf32>
    %act = clip.gelu %fc : tensor<?x77x2048xf32>
    %proj_mm = clip.matmul %act, %proj_weight transpose_rhs : (tensor<?x77x2048xf32>, tensor<512x2048xf32>) -> tensor<?x77x512xf32>
    %out = clip.add %proj_mm, %proj_bias : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    return %out : tensor<?x77x512xf32>
  }

  func.func @residual_block(%x: tensor<?x77x512xf32>) -> tensor<?x77x512xf32> {
    %ln_1_w = clip.param "transformer.resblocks.0.ln_1.weight" : tensor<512xf32>
    %ln_1_b = clip.param "transformer.resblocks.0.ln_1.bias" : tensor<512xf32>
    %in_w = clip.param "transformer.resblocks.0.attn.in_proj_weight" : tensor<1536x512xf32>
    %in_b = clip.param "transformer.resblocks.0.attn.in_proj_bias" : tensor<1536xf32>
    %out_w = clip.param "transformer.resblocks.0.attn.out_proj.weight" : tensor<512x512xf32>
    %out_b = clip.param "transformer.resblocks.0.attn.out_proj.bias" : tensor<512xf32>
    %ln_2_w = clip.param "transformer.resblocks.0.ln_2.weight" : tensor<512xf32>
    %ln_2_b = clip.param "transformer.resblocks.0.ln_2.bias" : tensor<512xf32>
    %fc_w = clip.param "transformer.resblocks.0.mlp.c_fc.weight" : tensor<2048x512xf32>
    %fc_b = clip.param "transformer.resblocks.0.mlp.c_fc.bias" : tensor<2048xf32>
    %proj_w = clip.param "transformer.resblocks.0.mlp.c_proj.weight" : tensor<512x2048xf32>
    %proj_b = clip.param "transformer.resblocks.0.mlp.c_proj.bias" : tensor<512xf32>

    %h_1 = func.call @layer_norm(%x, %ln_1_w, %ln_1_b) : (tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    %attn = func.call @attention(%h_1, %in_w, %in_b, %out_w, %out_b) : (tensor<?x77x512xf32>, tensor<1536x512xf32>, tensor<1536xf32>, tensor<512x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    %x_1 = clip.add %x, %attn : tensor<?x77x512xf32>
    %h_2 = func.call @layer_norm(%x_1, %ln_2_w, %ln_2_b) : (tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    %mlp = func.call @mlp(%h_2, %fc_w, %fc_b, %proj_w, %proj_b) : (tensor<?x77x512xf32>, tensor<2048x512xf32>, tensor<2048xf32>, tensor<512x2048xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
    %x_2 = clip.add %x_1, %mlp : tensor<?x77x512xf32>
    return %x_2 : tensor<?x77x512xf32>
  }
}
