
module {
  func.func @forward() -> (tensor<f32>, tensor<?x?xf32>, tensor<?x128xf32>, tensor<?x128xf32>) {
    %image = clip.input "image" : tensor<?x3x32x32xf32>
    %text = clip.input "text" : tensor<?x32xi64>
    %image_features = func.call @encode_image(%image) : (tensor<?x3x32x32xf32>) -> tensor<?x128xf32>
    %text_features = func.call @encode_text(%text) : (tensor<?x32xi64>) -> tensor<?x128xf32>
    %loss, %logits_per_image = func.call @contrastive_loss(%image_features, %text_features) : (tensor<?x128xf32>, tensor<?x128xf32>) -> (tensor<f32>, tensor<?x?xf32>)
    return %loss, %logits_per_image, %image_features, %text_features : tensor<f32>, tensor<?x?xf32>, tensor<?x128xf32>, tensor<?x128xf32>
  }

  func.func private @visual_layer_norm_pooled(%x: tensor<?x128xf32>, %weight: tensor<128xf32>, %bias: tensor<128xf32>) -> tensor<?x128xf32> {
    %eps = clip.constant dense<1.000000e-05> : tensor<f32>
    %mean = clip.reduce_mean %x axes [1] keepdims : tensor<?x128xf32> -> tensor<?x1xf32>
    %centered = clip.sub %x, %mean : (tensor<?x128xf32>, tensor<?x1xf32>) -> tensor<?x128xf32>
    %squared = clip.mul %centered, %centered : tensor<?x128xf32>
    %var = clip.reduce_mean %squared axes [1] keepdims : tensor<?x128xf32> -> tensor<?x1xf32>
    %var_eps = clip.add %var, %eps : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32>
    %rstd = clip.rsqrt %var_eps : tensor<?x1xf32>
    %normed = clip.mul %centered, %rstd : (tensor<?x128xf32>, tensor<?x1xf32>) -> tensor<?x128xf32>
    %scaled = clip.mul %normed, %weight : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %out = clip.add %scaled, %bias : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    return %out : tensor<?x128xf32>
  }

  func.func private @visual_layer_norm(%x: tensor<?x65x128xf32>, %weight: tensor<128xf32>, %bias: tensor<128xf32>) -> tensor<?x65x128xf32> {
    %eps = clip.constant dense<1.000000e-05> : tensor<f32>
    %mean = clip.reduce_mean %x axes [2] keepdims : tensor<?x65x128xf32> -> tensor<?x65x1xf32>
    %centered = clip.sub %x, %mean : (tensor<?x65x128xf32>, tensor<?x65x1xf32>) -> tensor<?x65x128xf32>
    %squared = clip.mul %centered, %centered : tensor<?x65x128xf32>
    %var = clip.reduce_mean %squared axes [2] keepdims : tensor<?x65x128xf32> -> tensor<?x65x1xf32>
    %var_eps = clip.add %var, %eps : (tensor<?x65x1xf32>, tensor<f32>) -> tensor<?x65x1xf32>
    %rstd = clip.rsqrt %var_eps : tensor<?x65x1xf32>
    %normed = clip.mul %centered, %rstd : (tensor<?x65x128xf32>, tensor<?x65x1xf32>) -> tensor<?x65x128xf32>
    %scaled = clip.mul %normed, %weight : (tensor<?x65x128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %out = clip.add %scaled, %bias : (tensor<?x65x128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    return %out : tensor<?x65x128xf32>
  }

  func.func private @visual_attention(%x: tensor<?x65x128xf32>, %in_proj_weight: tensor<384x128xf32>, %in_proj_bias: tensor<384xf32>, %out_proj_weight: tensor<128x128xf32>, %out_proj_bias: tensor<128xf32>) -> tensor<?x65x128xf32> {
    %qkv_mm = clip.matmul %x, %in_proj_weight transpose_rhs : (tensor<?x65x128xf32>, tensor<384x128xf32>) -> tensor<?x65x384xf32>
    %qkv = clip.add %qkv_mm, %in_proj_bias : (tensor<?x65x384xf32>, tensor<384xf32>) -> tensor<?x65x384xf32>

    %qkv_split = clip.reshape %qkv [-1, 65, 3, 2, 64] : tensor<?x65x384xf32> -> tensor<?x65x3x2x64xf32>
    %qkv_heads = clip.transpose %qkv_split [2, 0, 3, 1, 4] : tensor<?x65x3x2x64xf32> -> tensor<3x?x2x65x64xf32>
    %q_1 = clip.slice %qkv_heads axis 0 from 0 to 1 : tensor<3x?x2x65x64xf32> -> tensor<1x?x2x65x64xf32>
    %k_1 = clip.slice %qkv_heads axis 0 from 1 to 2 : tensor<3x?x2x65x64xf32> -> tensor<1x?x2x65x64xf32>
    %v_1 = clip.slice %qkv_heads axis 0 from 2 to 3 : tensor<3x?x2x65x64xf32> -> tensor<1x?x2x65x64xf32>
    %q = clip.reshape %q_1 [-1, 2, 65, 64] : tensor<1x?x2x65x64xf32> -> tensor<?x2x65x64xf32>
    %k = clip.reshape %k_1 [-1, 2, 65, 64] : tensor<1x?x2x65x64xf32> -> tensor<?x2x65x64xf32>
    %v = clip.reshape %v_1 [-1, 2, 65, 64] : tensor<1x?x2x65x64xf32> -> tensor<?x2x65x64xf32>

    %scale = clip.constant dense<1.250000e-01> : tensor<f32>
    %q_scaled = clip.mul %q, %scale : (tensor<?x2x65x64xf32>, tensor<f32>) -> tensor<?x2x65x64xf32>
    %scores = clip.matmul %q_scaled, %k transpose_rhs : (tensor<?x2x65x64xf32>, tensor<?x2x65x64xf32>) -> tensor<?x2x65x65xf32>
    %probs = clip.softmax %scores axis 3 : tensor<?x2x65x65xf32>
    %context = clip.matmul %probs, %v : (tensor<?x2x65x65xf32>, tensor<?x2x65x64xf32>) -> tensor<?x2x65x64xf32>

    %context_t = clip.transpose %context [0, 2, 1, 3] : tensor<?x2x65x64xf32> -> tensor<?x65x2x64xf32>
    %merged = clip.reshape %context_t [-1, 65, 128] : tensor<?x65x2x64xf32> -> tensor<?x65x128xf32>
    %out_mm = clip.matmul %merged, %out_proj_weight transpose_rhs : (tensor<?x65x128xf32>, tensor<128x128xf32>) -> tensor<?x65x128xf32>
    %out = clip.add %out_mm, %out_proj_bias : (tensor<?x65x128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    return %out : tensor<?x65x128xf32>
  }

  func.func private @visual_mlp(%x: tensor<?x65x128xf32>, %fc_weight: tensor<512x128xf32>, %fc_bias: tensor<512xf32>, %proj_weight: tensor<128x512xf32>, %proj_bias: tensor<128xf32>) -> tensor<?x65x128xf32> {
    %fc_mm = clip.matmul %x, %fc_weight transpose_rhs : (tensor<?x65x128xf32>, tensor<512x128xf32>) -> tensor<?x65x512xf32>
    %fc = clip.add %fc_mm, %fc_bias : (tensor<?x65x512xf32>, tensor<512xf32>) -> tensor<?x65x512xf32>
    %act = clip.gelu %fc : tensor<?x65x512xf32>
    %proj_mm = clip.matmul %act, %proj_weight transpose_rhs : (tensor<?x65x512xf32>, tensor<128x512xf32>) -> tensor<?x65x128xf32>
    %out = clip.add %proj_mm, %proj_bias : (tensor<?x65x128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    return %out : tensor<?x65x128xf32>
  }

  func.func private @visual_residual_block(%x: tensor<?x65x128xf32>, %ln_1_weight: tensor<128xf32>, %ln_1_bias: tensor<128xf32>, %in_proj_weight: tensor<384x128xf32>, %in_proj_bias: tensor<384xf32>, %out_proj_weight: tensor<128x128xf32>, %out_proj_bias: tensor<128xf32>, %ln_2_weight: tensor<128xf32>, %ln_2_bias: tensor<128xf32>, %fc_weight: tensor<512x128xf32>, %fc_bias: tensor<512xf32>, %proj_weight: tensor<128x512xf32>, %proj_bias: tensor<128xf32>) -> tensor<?x65x128xf32> {
    %h_1 = func.call @visual_layer_norm(%x, %ln_1_weight, %ln_1_bias) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %attn = func.call @visual_attention(%h_1, %in_proj_weight, %in_proj_bias, %out_proj_weight, %out_proj_bias) : (tensor<?x65x128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %x_1 = clip.add %x, %attn : tensor<?x65x128xf32>
    %h_2 = func.call @visual_layer_norm(%x_1, %ln_2_weight, %ln_2_bias) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %mlp = func.call @visual_mlp(%h_2, %fc_weight, %fc_bias, %proj_weight, %proj_bias) : (tensor<?x65x128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %x_2 = clip.add %x_1, %mlp : tensor<?x65x128xf32>
    return %x_2 : tensor<?x65x128xf32>
  }

  func.func private @visual_transformer(%x: tensor<?x65x128xf32>) -> tensor<?x65x128xf32> {

    %b0_ln_1_w = clip.param "visual.transformer.resblocks.0.ln_1.weight" : tensor<128xf32>
    %b0_ln_1_b = clip.param "visual.transformer.resblocks.0.ln_1.bias" : tensor<128xf32>
    %b0_in_w = clip.param "visual.transformer.resblocks.0.attn.in_proj_weight" : tensor<384x128xf32>
    %b0_in_b = clip.param "visual.transformer.resblocks.0.attn.in_proj_bias" : tensor<384xf32>
    %b0_out_w = clip.param "visual.transformer.resblocks.0.attn.out_proj.weight" : tensor<128x128xf32>
    %b0_out_b = clip.param "visual.transformer.resblocks.0.attn.out_proj.bias" : tensor<128xf32>
    %b0_ln_2_w = clip.param "visual.transformer.resblocks.0.ln_2.weight" : tensor<128xf32>
    %b0_ln_2_b = clip.param "visual.transformer.resblocks.0.ln_2.bias" : tensor<128xf32>
    %b0_fc_w = clip.param "visual.transformer.resblocks.0.mlp.c_fc.weight" : tensor<512x128xf32>
    %b0_fc_b = clip.param "visual.transformer.resblocks.0.mlp.c_fc.bias" : tensor<512xf32>
    %b0_proj_w = clip.param "visual.transformer.resblocks.0.mlp.c_proj.weight" : tensor<128x512xf32>
    %b0_proj_b = clip.param "visual.transformer.resblocks.0.mlp.c_proj.bias" : tensor<128xf32>
    %x_1 = func.call @visual_residual_block(%x, %b0_ln_1_w, %b0_ln_1_b, %b0_in_w, %b0_in_b, %b0_out_w, %b0_out_b, %b0_ln_2_w, %b0_ln_2_b, %b0_fc_w, %b0_fc_b, %b0_proj_w, %b0_proj_b) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>

    %b1_ln_1_w = clip.param "visual.transformer.resblocks.1.ln_1.weight" : tensor<128xf32>
    %b1_ln_1_b = clip.param "visual.transformer.resblocks.1.ln_1.bias" : tensor<128xf32>
    %b1_in_w = clip.param "visual.transformer.resblocks.1.attn.in_proj_weight" : tensor<384x128xf32>
    %b1_in_b = clip.param "visual.transformer.resblocks.1.attn.in_proj_bias" : tensor<384xf32>
    %b1_out_w = clip.param "visual.transformer.resblocks.1.attn.out_proj.weight" : tensor<128x128xf32>
    %b1_out_b = clip.param "visual.transformer.resblocks.1.attn.out_proj.bias" : tensor<128xf32>
    %b1_ln_2_w = clip.param "visual.transformer.resblocks.1.ln_2.weight" : tensor<128xf32>
    %b1_ln_2_b = clip.param "visual.transformer.resblocks.1.ln_2.bias" : tensor<128xf32>
    %b1_fc_w = clip.param "visual.transformer.resblocks.1.mlp.c_fc.weight" : tensor<512x128xf32>
    %b1_fc_b = clip.param "visual.transformer.resblocks.1.mlp.c_fc.bias" : tensor<512xf32>
    %b1_proj_w = clip.param "visual.transformer.resblocks.1.mlp.c_proj.weight" : tensor<128x512xf32>
    %b1_proj_b = clip.param "visual.transformer.resblocks.1.mlp.c_proj.bias" : tensor<128xf32>
    %x_2 = func.call @visual_residual_block(%x_1, %b1_ln_1_w, %b1_ln_1_b, %b1_in_w, %b1_in_b, %b1_out_w, %b1_out_b, %b1_ln_2_w, %b1_ln_2_b, %b1_fc_w, %b1_fc_b, %b1_proj_w, %b1_proj_b) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>

    %b2_ln_1_w = clip.param "visual.transformer.resblocks.2.ln_1.weight" : tensor<128xf32>
    %b2_ln_1_b = clip.param "visual.transformer.resblocks.2.ln_1.bias" : tensor<128xf32>
    %b2_in_w = clip.param "visual.transformer.resblocks.2.attn.in_proj_weight" : tensor<384x128xf32>
    %b2_in_b = clip.param "visual.transformer.resblocks.2.attn.in_proj_bias" : tensor<384xf32>
    %b2_out_w = clip.param "visual.transformer.resblocks.2.attn.out_proj.weight" : tensor<128x128xf32>
    %b2_out_b = clip.param "visual.transformer.resblocks.2.attn.out_proj.bias" : tensor<128xf32>
    %b2_ln_2_w = clip.param "visual.transformer.resblocks.2.ln_2.weight" : tensor<128xf32>
    %b2_ln_2_b = clip.param "visual.transformer.resblocks.2.ln_2.bias" : tensor<128xf32>
    %b2_fc_w = clip.param "visual.transformer.resblocks.2.mlp.c_fc.weight" : tensor<512x128xf32>
    %b2_fc_b = clip.param "visual.transformer.resblocks.2.mlp.c_fc.bias" : tensor<512xf32>
    %b2_proj_w = clip.param "visual.transformer.resblocks.2.mlp.c_proj.weight" : tensor<128x512xf32>
    %b2_proj_b = clip.param "visual.transformer.resblocks.2.mlp.c_proj.bias" : tensor<128xf32>
    %x_3 = func.call @visual_residual_block(%x_2, %b2_ln_1_w, %b2_ln_1_b, %b2_in_w, %b2_in_b, %b2_out_w, %b2_out_b, %b2_ln_2_w, %b2_ln_2_b, %b2_fc_w, %b2_fc_b, %b2_proj_w, %b2_proj_b) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>

    %b3_ln_1_w = clip.param "visual.transformer.resblocks.3.ln_1.weight" : tensor<128xf32>
    %b3_ln_1_b = clip.param "visual.transformer.resblocks.3.ln_1.bias" : tensor<128xf32>
    %b3_in_w = clip.param "visual.transformer.resblocks.3.attn.in_proj_weight" : tensor<384x128xf32>
    %b3_in_b = clip.param "visual.transformer.resblocks.3.attn.in_proj_bias" : tensor<384xf32>
    %b3_out_w = clip.param "visual.transformer.resblocks.3.attn.out_proj.weight" : tensor<128x128xf32>
    %b3_out_b = clip.param "visual.transformer.resblocks.3.attn.out_proj.bias" : tensor<128xf32>
    %b3_ln_2_w = clip.param "visual.transformer.resblocks.3.ln_2.weight" : tensor<128xf32>
    %b3_ln_2_b = clip.param "visual.transformer.resblocks.3.ln_2.bias" : tensor<128xf32>
    %b3_fc_w = clip.param "visual.transformer.resblocks.3.mlp.c_fc.weight" : tensor<512x128xf32>
    %b3_fc_b = clip.param "visual.transformer.resblocks.3.mlp.c_fc.bias" : tensor<512xf32>
    %b3_proj_w = clip.param "visual.transformer.resblocks.3.mlp.c_proj.weight" : tensor<128x512xf32>
    %b3_proj_b = clip.param "visual.transformer.resblocks.3.mlp.c_proj.bias" : tensor<128xf32>
    %x_4 = func.call @visual_residual_block(%x_3, %b3_ln_1_w, %b3_ln_1_b, %b3_in_w, %b3_in_b, %b3_out_w, %b3_out_b, %b3_ln_2_w, %b3_ln_2_b, %b3_fc_w, %b3_fc_b, %b3_proj_w, %b3_proj_b) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    return %x_4 : tensor<?x65x128xf32>
  }

  func.func @encode_image(%image: tensor<?x3x32x32xf32>) -> tensor<?x128xf32> {
    %conv1_w = clip.param "visual.conv1.weight" : tensor<128x3x4x4xf32>
    %class_embedding = clip.param "visual.class_embedding" : tensor<128xf32>
    %positional_embedding = clip.param "visual.positional_embedding" : tensor<65x128xf32>
    %ln_pre_w = clip.param "visual.ln_pre.weight" : tensor<128xf32>
    %ln_pre_b = clip.param "visual.ln_pre.bias" : tensor<128xf32>
    %ln_post_w = clip.param "visual.ln_post.weight" : tensor<128xf32>
    %ln_post_b = clip.param "visual.ln_post.bias" : tensor<128xf32>
    %proj = clip.param "visual.proj" : tensor<128x128xf32>

    %patches = clip.conv2d %image, %conv1_w stride [4, 4] padding [0, 0] : (tensor<?x3x32x32xf32>, tensor<128x3x4x4xf32>) -> tensor<?x128x8x8xf32>
    %patches_flat = clip.reshape %patches [-1, 128, 64] : tensor<?x128x8x8xf32> -> tensor<?x128x64xf32>
    %patch_tokens = clip.transpose %patches_flat [0, 2, 1] : tensor<?x128x64xf32> -> tensor<?x64x128xf32>
    %class_row = clip.reshape %class_embedding [1, 1, 128] : tensor<128xf32> -> tensor<1x1x128xf32>
    %class_tokens = clip.broadcast %class_row : tensor<1x1x128xf32> -> tensor<?x1x128xf32>
    %tokens = clip.concat %class_tokens, %patch_tokens axis 1 : (tensor<?x1x128xf32>, tensor<?x64x128xf32>) -> tensor<?x65x128xf32>
    %embedded = clip.add %tokens, %positional_embedding : (tensor<?x65x128xf32>, tensor<65x128xf32>) -> tensor<?x65x128xf32>
    %x_pre = func.call @visual_layer_norm(%embedded, %ln_pre_w, %ln_pre_b) : (tensor<?x65x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x65x128xf32>
    %x_out = func.call @visual_transformer(%x_pre) : (tensor<?x65x128xf32>) -> tensor<?x65x128xf32>

    %class_out = clip.slice %x_out axis 1 from 0 to 1 : tensor<?x65x128xf32> -> tensor<?x1x128xf32>
    %pooled = clip.reshape %class_out [-1, 128] : tensor<?x1x128xf32> -> tensor<?x128xf32>
    %pooled_ln = func.call @visual_layer_norm_pooled(%pooled, %ln_post_w, %ln_post_b) : (tensor<?x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %features = clip.matmul %pooled_ln, %proj : (tensor<?x128xf32>, tensor<128x128xf32>) -> tensor<?x128xf32>
    return %features : tensor<?x128xf32>
  }

  func.func private @text_layer_norm_pooled(%x: tensor<?x128xf32>, %weight: tensor<128xf32>, %bias: tensor<128xf32>) -> tensor<?x128xf32> {
    %eps = clip.constant dense<1.000000e-05> : tensor<f32>
    %mean = clip.reduce_mean %x axes [1] keepdims : tensor<?x128xf32> -> tensor<?x1xf32>
    %centered = clip.sub %x, %mean : (tensor<?x128xf32>, tensor<?x1xf32>) -> tensor<?x128xf32>
    %squared = clip.mul %centered, %centered : tensor<?x128xf32>
    %var = clip.reduce_mean %squared axes [1] keepdims : tensor<?x128xf32> -> tensor<?x1xf32>
    %var_eps = clip.add %var, %eps : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32>
    %rstd = clip.rsqrt %var_eps : tensor<?x1xf32>
    %normed = clip.mul %centered, %rstd : (tensor<?x128xf32>, tensor<?x1xf32>) -> tensor<?x128xf32>
    %scaled = clip.mul %normed, %weight : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %out = clip.add %scaled, %bias : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    return %out : tensor<?x128xf32>
  }

  func.func private @text_layer_norm(%x: tensor<?x32x128xf32>, %weight: tensor<128xf32>, %bias: tensor<128xf32>) -> tensor<?x32x128xf32> {
    %eps = clip.constant dense<1.000000e-05> : tensor<f32>
    %mean = clip.reduce_mean %x axes [2] keepdims : tensor<?x32x128xf32> -> tensor<?x32x1xf32>
    %centered = clip.sub %x, %mean : (tensor<?x32x128xf32>, tensor<?x32x1xf32>) -> tensor<?x32x128xf32>
    %squared = clip.mul %centered, %centered : tensor<?x32x128xf32>
    %var = clip.reduce_mean %squared axes [2] keepdims : tensor<?x32x128xf32> -> tensor<?x32x1xf32>
    %var_eps = clip.add %var, %eps : (tensor<?x32x1xf32>, tensor<f32>) -> tensor<?x32x1xf32>
    %rstd = clip.rsqrt %var_eps : tensor<?x32x1xf32>
    %normed = clip.mul %centered, %rstd : (tensor<?x32x128xf32>, tensor<?x32x1xf32>) -> tensor<?x32x128xf32>
    %scaled = clip.mul %normed, %weight : (tensor<?x32x128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    %out = clip.add %scaled, %bias : (tensor<?x32x128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    return %out : tensor<?x32x128xf32>
  }

  func.func private @text_attention(%x: tensor<?x32x128xf32>, %in_proj_weight: tensor<384x128xf32>, %in_proj_bias: tensor<384xf32>, %out_proj_weight: tensor<128x128xf32>, %out_proj_bias: tensor<128xf32>) -> tensor<?x32x128xf32> {
    %qkv_mm = clip.matmul %x, %in_proj_weight transpose_rhs : (tensor<?x32x128xf32>, tensor<384x128xf32>) -> tensor<?x32x384xf32>
    %qkv = clip.add %qkv_mm, %in_proj_bias : (tensor<?x32x384xf32>, tensor<384xf32>) -> tensor<?x32x384xf32>

    %qkv_split = clip.reshape %qkv [-1, 32, 3, 2, 64] : tensor<?x32x384xf32> -> tensor<?x32x3x2x64xf32>
    %qkv_heads = clip.transpose %qkv_split [2, 0, 3, 1, 4] : tensor<?x32x3x2x64xf32> -> tensor<3x?x2x32x64xf32>
    %q_1 = clip.slice %qkv_heads axis 0 from 0 to 1 : tensor<3x?x2x32x64xf32> -> tensor<1x?x2x32x64xf32>
    %k_1 = clip.slice %qkv_heads axis 0 from 1 to 2 : tensor<3x?x2x32x64xf32> -> tensor<1x?x2x32x64xf32>
    %v_1 = clip.slice %qkv_heads axis 0 from 2 to 3 : tensor<3x?x2x32x64xf32> -> tensor<1x?x2x32x64xf32>
    %q = clip.reshape %q_1 [-1, 2, 32, 64] : tensor<1x?x2x32x64xf32> -> tensor<?x2x32x64xf32>
    %k = clip.reshape %k_1 [-1, 2, 32, 64] : tensor<1x?x2x32x64xf32> -> tensor<?x2x32x64xf32>
    %v = clip.reshape %v_1 [-1, 2, 32, 64] : tensor<1x?x2x32x64xf32> -> tensor<?x2x32x64xf32>

    %scale = clip.constant dense<1.250000e-01> : tensor<f32>
    %q_scaled = clip.mul %q, %scale : (tensor<?x2x32x64xf32>, tensor<f32>) -> tensor<?x2x32x64xf32>
    %scores = clip.matmul %q_scaled, %k transpose_rhs : (tensor<?x2x32x64xf32>, tensor<?x2x32x64xf32>) -> tensor<?x2x32x32xf32>
    %mask = clip.causal_mask : tensor<32x32xf32>
    %masked = clip.add %scores, %mask : (tensor<?x2x32x32xf32>, tensor<32x32xf32>) -> tensor<?x2x32x32xf32>
    %probs = clip.softmax %masked axis 3 : tensor<?x2x32x32xf32>
    %context = clip.matmul %probs, %v : (tensor<?x2x32x32xf32>, tensor<?x2x32x64xf32>) -> tensor<?x2x32x64xf32>

    %context_t = clip.transpose %context [0, 2, 1, 3] : tensor<?x2x32x64xf32> -> tensor<?x32x2x64xf32>
    %merged = clip.reshape %context_t [-1, 32, 128] : tensor<?x32x2x64xf32> -> tensor<?x32x128xf32>
    %out_mm = clip.matmul %merged, %out_proj_weight transpose_rhs : (tensor<?x32x128xf32>, tensor<128x128xf32>) -> tensor<?x32x128xf32>
    %out = clip.add %out_mm, %out_proj_bias : (tensor<?x32x128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    return %out : tensor<?x32x128xf32>
  }

  func.func private @text_mlp(%x: tensor<?x32x128xf32>, %fc_weight: tensor<512x128xf32>, %fc_bias: tensor<512xf32>, %proj_weight: tensor<128x512xf32>, %proj_bias: tensor<128xf32>) -> tensor<?x32x128xf32> {
    %fc_mm = clip.matmul %x, %fc_weight transpose_rhs : (tensor<?x32x128xf32>, tensor<512x128xf32>) -> tensor<?x32x512xf32>
    %fc = clip.add %fc_mm, %fc_bias : (tensor<?x32x512xf32>, tensor<512xf32>) -> tensor<?x32x512xf32>
    %act = clip.gelu %fc : tensor<?x32x512xf32>
    %proj_mm = clip.matmul %act, %proj_weight transpose_rhs : (tensor<?x32x512xf32>, tensor<128x512xf32>) -> tensor<?x32x128xf32>
    %out = clip.add %proj_mm, %proj_bias : (tensor<?x32x128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    return %out : tensor<?x32x128xf32>
  }

  func.func private @text_residual_block(%x: tensor<?x32x128xf32>, %ln_1_weight: tensor<128xf32>, %ln_1_bias: tensor<128xf32>, %in_proj_weight: tensor<384x128xf32>, %in_proj_bias: tensor<384xf32>, %out_proj_weight: tensor<128x128xf32>, %out_proj_bias: tensor<128xf32>, %ln_2_weight: tensor<128xf32>, %ln_2_bias: tensor<128xf32>, %fc_weight: tensor<512x128xf32>, %fc_bias: tensor<512xf32>, %proj_weight: tensor<128x512xf32>, %proj_bias: tensor<128xf32>) -> tensor<?x32x128xf32> {
    %h_1 = func.call @text_layer_norm(%x, %ln_1_weight, %ln_1_bias) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    %attn = func.call @text_attention(%h_1, %in_proj_weight, %in_proj_bias, %out_proj_weight, %out_proj_bias) : (tensor<?x32x128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    %x_1 = clip.add %x, %attn : tensor<?x32x128xf32>
    %h_2 = func.call @text_layer_norm(%x_1, %ln_2_weight, %ln_2_bias) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    %mlp = func.call @text_mlp(%h_2, %fc_weight, %fc_bias, %proj_weight, %proj_bias) : (tensor<?x32x128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    %x_2 = clip.add %x_1, %mlp : tensor<?x32x128xf32>
    return %x_2 : tensor<?x32x128xf32>
  }

  func.func private @text_transformer(%x: tensor<?x32x128xf32>) -> tensor<?x32x128xf32> {

    %b0_ln_1_w = clip.param "transformer.resblocks.0.ln_1.weight" : tensor<128xf32>
    %b0_ln_1_b = clip.param "transformer.resblocks.0.ln_1.bias" : tensor<128xf32>
    %b0_in_w = clip.param "transformer.resblocks.0.attn.in_proj_weight" : tensor<384x128xf32>
    %b0_in_b = clip.param "transformer.resblocks.0.attn.in_proj_bias" : tensor<384xf32>
    %b0_out_w = clip.param "transformer.resblocks.0.attn.out_proj.weight" : tensor<128x128xf32>
    %b0_out_b = clip.param "transformer.resblocks.0.attn.out_proj.bias" : tensor<128xf32>
    %b0_ln_2_w = clip.param "transformer.resblocks.0.ln_2.weight" : tensor<128xf32>
    %b0_ln_2_b = clip.param "transformer.resblocks.0.ln_2.bias" : tensor<128xf32>
    %b0_fc_w = clip.param "transformer.resblocks.0.mlp.c_fc.weight" : tensor<512x128xf32>
    %b0_fc_b = clip.param "transformer.resblocks.0.mlp.c_fc.bias" : tensor<512xf32>
    %b0_proj_w = clip.param "transformer.resblocks.0.mlp.c_proj.weight" : tensor<128x512xf32>
    %b0_proj_b = clip.param "transformer.resblocks.0.mlp.c_proj.bias" : tensor<128xf32>
    %x_1 = func.call @text_residual_block(%x, %b0_ln_1_w, %b0_ln_1_b, %b0_in_w, %b0_in_b, %b0_out_w, %b0_out_b, %b0_ln_2_w, %b0_ln_2_b, %b0_fc_w, %b0_fc_b, %b0_proj_w, %b0_proj_b) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>

    %b1_ln_1_w = clip.param "transformer.resblocks.1.ln_1.weight" : tensor<128xf32>
    %b1_ln_1_b = clip.param "transformer.resblocks.1.ln_1.bias" : tensor<128xf32>
    %b1_in_w = clip.param "transformer.resblocks.1.attn.in_proj_weight" : tensor<384x128xf32>
    %b1_in_b = clip.param "transformer.resblocks.1.attn.in_proj_bias" : tensor<384xf32>
    %b1_out_w = clip.param "transformer.resblocks.1.attn.out_proj.weight" : tensor<128x128xf32>
    %b1_out_b = clip.param "transformer.resblocks.1.attn.out_proj.bias" : tensor<128xf32>
    %b1_ln_2_w = clip.param "transformer.resblocks.1.ln_2.weight" : tensor<128xf32>
    %b1_ln_2_b = clip.param "transformer.resblocks.1.ln_2.bias" : tensor<128xf32>
    %b1_fc_w = clip.param "transformer.resblocks.1.mlp.c_fc.weight" : tensor<512x128xf32>
    %b1_fc_b = clip.param "transformer.resblocks.1.mlp.c_fc.bias" : tensor<512xf32>
    %b1_proj_w = clip.param "transformer.resblocks.1.mlp.c_proj.weight" : tensor<128x512xf32>
    %b1_proj_b = clip.param "transformer.resblocks.1.mlp.c_proj.bias" : tensor<128xf32>
    %x_2 = func.call @text_residual_block(%x_1, %b1_ln_1_w, %b1_ln_1_b, %b1_in_w, %b1_in_b, %b1_out_w, %b1_out_b, %b1_ln_2_w, %b1_ln_2_b, %b1_fc_w, %b1_fc_b, %b1_proj_w, %b1_proj_b) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>

    %b2_ln_1_w = clip.param "transformer.resblocks.2.ln_1.weight" : tensor<128xf32>
    %b2_ln_1_b = clip.param "transformer.resblocks.2.ln_1.bias" : tensor<128xf32>
    %b2_in_w = clip.param "transformer.resblocks.2.attn.in_proj_weight" : tensor<384x128xf32>
    %b2_in_b = clip.param "transformer.resblocks.2.attn.in_proj_bias" : tensor<384xf32>
    %b2_out_w = clip.param "transformer.resblocks.2.attn.out_proj.weight" : tensor<128x128xf32>
    %b2_out_b = clip.param "transformer.resblocks.2.attn.out_proj.bias" : tensor<128xf32>
    %b2_ln_2_w = clip.param "transformer.resblocks.2.ln_2.weight" : tensor<128xf32>
    %b2_ln_2_b = clip.param "transformer.resblocks.2.ln_2.bias" : tensor<128xf32>
    %b2_fc_w = clip.param "transformer.resblocks.2.mlp.c_fc.weight" : tensor<512x128xf32>
    %b2_fc_b = clip.param "transformer.resblocks.2.mlp.c_fc.bias" : tensor<512xf32>
    %b2_proj_w = clip.param "transformer.resblocks.2.mlp.c_proj.weight" : tensor<128x512xf32>
    %b2_proj_b = clip.param "transformer.resblocks.2.mlp.c_proj.bias" : tensor<128xf32>
    %x_3 = func.call @text_residual_block(%x_2, %b2_ln_1_w, %b2_ln_1_b, %b2_in_w, %b2_in_b, %b2_out_w, %b2_out_b, %b2_ln_2_w, %b2_ln_2_b, %b2_fc_w, %b2_fc_b, %b2_proj_w, %b2_proj_b) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>

    %b3_ln_1_w = clip.param "transformer.resblocks.3.ln_1.weight" : tensor<128xf32>
    %b3_ln_1_b = clip.param "transformer.resblocks.3.ln_1.bias" : tensor<128xf32>
    %b3_in_w = clip.param "transformer.resblocks.3.attn.in_proj_weight" : tensor<384x128xf32>
    %b3_in_b = clip.param "transformer.resblocks.3.attn.in_proj_bias" : tensor<384xf32>
    %b3_out_w = clip.param "transformer.resblocks.3.attn.out_proj.weight" : tensor<128x128xf32>
    %b3_out_b = clip.param "transformer.resblocks.3.attn.out_proj.bias" : tensor<128xf32>
    %b3_ln_2_w = clip.param "transformer.resblocks.3.ln_2.weight" : tensor<128xf32>
    %b3_ln_2_b = clip.param "transformer.resblocks.3.ln_2.bias" : tensor<128xf32>
    %b3_fc_w = clip.param "transformer.resblocks.3.mlp.c_fc.weight" : tensor<512x128xf32>
    %b3_fc_b = clip.param "transformer.resblocks.3.mlp.c_fc.bias" : tensor<512xf32>
    %b3_proj_w = clip.param "transformer.resblocks.3.mlp.c_proj.weight" : tensor<128x512xf32>
    %b3_proj_b = clip.param "transformer.resblocks.3.mlp.c_proj.bias" : tensor<128xf32>
    %x_4 = func.call @text_residual_block(%x_3, %b3_ln_1_w, %b3_ln_1_b, %b3_in_w, %b3_in_b, %b3_out_w, %b3_out_b, %b3_ln_2_w, %b3_ln_2_b, %b3_fc_w, %b3_fc_b, %b3_proj_w, %b3_proj_b) : (tensor<?x32x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<384x128xf32>, tensor<384xf32>, tensor<128x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<512x128xf32>, tensor<512xf32>, tensor<128x512xf32>, tensor<128xf32>) -> tensor<?x32x128xf32>
    return %x_4 : tensor<?x32x128xf32>
  }

  func.func @encode_text(%text: tensor<?x32xi64>) -> tensor<?x128xf32> {
    %token_embedding = clip.param "token_embedding.weight" : tensor<49408x128xf32>
    %positional_embedding = clip.param "positional_embedding" : tensor<32x128xf32>
    %ln_final_w = clip.param "ln_final.weight" : tensor<128xf32>
    %ln_final_b = clip.param "ln_final.bias" : tensor<128xf32>
    %text_projection = clip.param "text_projection" : tensor<128x128xf32>

    %tokens = clip.gather %token_embedding[%text] axis 0 : (tensor<49408x128xf32>, tensor<?x32xi64>) -> tensor<?x32x128xf32>
    %embedded = clip.add %tokens, %positional_embedding : (tensor<?x32x128xf32>, tensor<32x128xf32>) -> tensor<?x32x128xf32>
    %x_out = func.call @text_transformer(%embedded) : (tensor<?x32x128xf32>) -> tensor<?x32x128xf32>

    %eos = clip.argmax %text axis 1 : tensor<?x32xi64> -> tensor<?xi64>
    %pooled = clip.gather %x_out[%eos] axis 1 batch_dims 1 : (tensor<?x32x128xf32>, tensor<?xi64>) -> tensor<?x128xf32>
    %pooled_ln = func.call @text_layer_norm_pooled(%pooled, %ln_final_w, %ln_final_b) : (tensor<?x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %features = clip.matmul %pooled_ln, %text_projection : (tensor<?x128xf32>, tensor<128x128xf32>) -> tensor<?x128xf32>
    return %features : tensor<?x128xf32>
  }

  func.func private @l2_normalize(%x: tensor<?x128xf32>) -> tensor<?x128xf32> {
    %squared = clip.mul %x, %x : tensor<?x128xf32>
    %sum = clip.reduce_sum %squared axes [1] keepdims : tensor<?x128xf32> -> tensor<?x1xf32>
    %norm = clip.sqrt %sum : tensor<?x1xf32>
    %eps = clip.constant dense<1.000000e-12> : tensor<f32>
    %clamped = clip.max %norm, %eps : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32>
    %out = clip.div %x, %clamped : (tensor<?x128xf32>, tensor<?x1xf32>) -> tensor<?x128xf32>
    return %out : tensor<?x128xf32>
  }

  func.func private @contrastive_loss(%image_features: tensor<?x128xf32>, %text_features: tensor<?x128xf32>) -> (tensor<f32>, tensor<?x?xf32>) {
    %logit_scale = clip.param "logit_scale" : tensor<f32>
    %image_n = func.call @l2_normalize(%image_features) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %text_n = func.call @l2_normalize(%text_features) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %scale = clip.exp %logit_scale : tensor<f32>
    %similarity = clip.matmul %image_n, %text_n transpose_rhs : (tensor<?x128xf32>, tensor<?x128xf32>) -> tensor<?x?xf32>
    %logits = clip.mul %similarity, %scale : (tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>

    %labels = clip.iota dim 0 : tensor<?xi64>
    %image_log_probs = clip.log_softmax %logits axis 1 : tensor<?x?xf32>
    %image_correct = clip.gather %image_log_probs[%labels] axis 1 batch_dims 1 : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
    %image_mean = clip.reduce_mean %image_correct axes [0] : tensor<?xf32> -> tensor<f32>
    %text_log_probs = clip.log_softmax %logits axis 0 : tensor<?x?xf32>
    %text_correct = clip.gather %text_log_probs[%labels] axis 1 batch_dims 1 : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
    %text_mean = clip.reduce_mean %text_correct axes [0] : tensor<?xf32> -> tensor<f32>
    %total = clip.add %image_mean, %text_mean : tensor<f32>
    %neg_half = clip.constant dense<-5.000000e-01> : tensor<f32>
    %loss = clip.mul %total, %neg_half : tensor<f32>
    return %loss, %logits : tensor<f32>, tensor<?x?xf32>
  }
}
