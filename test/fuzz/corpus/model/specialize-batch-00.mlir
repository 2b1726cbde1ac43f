func.func @every_op(%x: tensor<?x3x8x8xf32>) -> (tensor<?x3xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  %text = clip.input "text" : tensor<?x5xi64>
  %labels = clip.iota dim 0 : tensor<?xi64>
  %w = clip.param "conv.weight" : tensor<6x3x3x3xf32>
  %table = clip.param "token_embedding.weight" : tensor<10x3xf32>
  %g = clip.param "bn.weight" : tensor<6xf32>
  %conv = clip.conv2d %x, %w stride [2, 2] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<?x6x4x4xf32>
  %bn = clip.batch_norm %conv, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x4x4xf32>
  %pool = clip.avg_pool2d %bn kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<?x6x4x4xf32> -> tensor<?x6x2x2xf32>
  %flat = clip.reshape %pool [-1, 3] : tensor<?x6x2x2xf32> -> tensor<?x3xf32>
  %tokens = clip.reshape %flat [-1, 8, 3] : tensor<?x3xf32> -> tensor<?x8x3xf32>
  %t = clip.transpose %tokens [1, 0, 2] : tensor<?x8x3xf32> -> tensor<8x?x3xf32>
  %first = clip.slice %t axis 0 from 0 to 1 : tensor<8x?x3xf32> -> tensor<1x?x3xf32>
  %cls = clip.reshape %first [-1, 3] : tensor<1x?x3xf32> -> tensor<?x3xf32>
  %emb = clip.gather %table[%text] axis 0 : (tensor<10x3xf32>, tensor<?x5xi64>) -> tensor<?x5x3xf32>
  %eos = clip.argmax %text axis 1 : tensor<?x5xi64> -> tensor<?xi64>
  %pooled = clip.gather %emb[%eos] axis 1 batch_dims 1 : (tensor<?x5x3xf32>, tensor<?xi64>) -> tensor<?x3xf32>
  %both = clip.concat %cls, %pooled axis 1 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  %sum = clip.reduce_sum %both axes [1] : tensor<?x6xf32> -> tensor<?xf32>
  %logits = clip.matmul %cls, %pooled transpose_rhs : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x?xf32>
  %logp = clip.log_softmax %logits axis 1 : tensor<?x?xf32>
  %bias = clip.param "bias" : tensor<3xf32>
  %bias_b = clip.broadcast %bias : tensor<3xf32> -> tensor<?x3xf32>
  %out = clip.add %cls, %bias_b : tensor<?x3xf32>
  %labels_f = clip.cast %labels : tensor<?xi64> to tensor<?xf32>
  %is = clip.cmp eq, %labels_f, %sum : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  %sel = clip.select %is, %labels_f, %sum : (tensor<?xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %out, %sel, %logp : tensor<?x3xf32>, tensor<?xf32>, tensor<?x?xf32>
}
