func.func @param() -> (tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>) {
  %w = clip.param "visual.proj" : tensor<768x512xf32>
  %g = clip.param "ln_final.weight" frozen : tensor<512xbf16>
  %h = clip.param "a.b" : tensor<4xf16>
  %d = clip.param "logit_scale" frozen : tensor<2x2xf64>
  return %w, %g, %h, %d : tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>
}

func.func @input() -> (tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>) {
  %text = clip.input "text" : tensor<?x77xi64>
  %image = clip.input "image" : tensor<?x3x224x224xf32>
  %labels = clip.input "labels" : tensor<2xi32>
  %mask = clip.input "mask" : tensor<?xi1>
  %scalar = clip.input "scalar" : tensor<f16>
  return %text, %image, %labels, %mask, %scalar : tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>
}

func.func @constant() -> tensor<f32> {
  %scale = clip.constant dense<0.125> : tensor<f32>
  %0 = clip.constant dense<[1, 2, 3]> : tensor<3xi64>
  %1 = clip.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xbf16>
  %2 = clip.constant dense<[true, false]> : tensor<2xi1>
  %3 = clip.constant dense<7> : tensor<2x3xi32>
  %4 = clip.constant dense<-1.5> : tensor<4xf16>
  %5 = clip.constant dense<2.5> : tensor<f64>
  return %scale : tensor<f32>
}

func.func @iota() -> tensor<?xi64> {
  %labels = clip.iota dim 0 : tensor<?xi64>
  %0 = clip.iota dim 1 : tensor<77x77xi32>
  %1 = clip.iota dim 2 : tensor<2x3x4xf32>
  %2 = clip.iota dim 0 : tensor<8xbf16>
  %3 = clip.iota dim 0 : tensor<3x?xf16>
  return %labels : tensor<?xi64>
}

func.func @causal_mask() -> tensor<77x77xf32> {
  %mask = clip.causal_mask : tensor<77x77xf32>
  %0 = clip.causal_mask : tensor<77x77xi1>
  %1 = clip.causal_mask : tensor<?x8x16x16xf16>
  %2 = clip.causal_mask : tensor<1x4x4xbf16>
  %3 = clip.causal_mask : tensor<3x3xf64>
  return %mask : tensor<77x77xf32>
}

func.func @unary(%f32: tensor<2x3xf32>, %bf16: tensor<?x8xbf16>, %f16: tensor<4xf16>, %f64: tensor<f64>, %i32: tensor<5xi32>, %i64: tensor<?x2xi64>) {
  %0 = clip.neg %f32 : tensor<2x3xf32>
  %1 = clip.neg %i32 : tensor<5xi32>
  %2 = clip.neg %i64 : tensor<?x2xi64>
  %3 = clip.exp %f32 : tensor<2x3xf32>
  %4 = clip.log %bf16 : tensor<?x8xbf16>
  %5 = clip.sqrt %f16 : tensor<4xf16>
  %6 = clip.rsqrt %f64 : tensor<f64>
  %7 = clip.tanh %f32 : tensor<2x3xf32>
  %8 = clip.sigmoid %bf16 : tensor<?x8xbf16>
  %9 = clip.erf %f16 : tensor<4xf16>
  %10 = clip.neg %bf16 : tensor<?x8xbf16>
  return
}

func.func @gelu(%x: tensor<4x3072xf32>, %h: tensor<?x77x2048xbf16>) {
  %0 = clip.gelu %x : tensor<4x3072xf32>
  %1 = clip.gelu %x approximate none : tensor<4x3072xf32>
  %2 = clip.gelu %x approximate tanh : tensor<4x3072xf32>
  %3 = clip.gelu %h approximate quick : tensor<?x77x2048xbf16>
  return
}

func.func @cast(%x: tensor<4x8xf32>, %t: tensor<?x77xi64>, %m: tensor<77x77xi1>, %d: tensor<f64>) {
  %0 = clip.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
  %1 = clip.cast %x : tensor<4x8xf32> to tensor<4x8xi32>
  %2 = clip.cast %t : tensor<?x77xi64> to tensor<?x77xf16>
  %3 = clip.cast %m : tensor<77x77xi1> to tensor<77x77xf32>
  %4 = clip.cast %d : tensor<f64> to tensor<f32>
  %5 = clip.cast %t : tensor<?x77xi64> to tensor<?x77xi32>
  return
}

func.func @binary_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %i: tensor<?x4xi64>, %j: tensor<?x4xi64>, %s: tensor<bf16>, %h: tensor<8xf16>, %d: tensor<3xf64>, %k: tensor<5xi32>) {
  %0 = clip.add %a, %b : tensor<2x3xf32>
  %1 = clip.sub %i, %j : tensor<?x4xi64>
  %2 = clip.mul %s, %s : tensor<bf16>
  %3 = clip.div %h, %h : tensor<8xf16>
  %4 = clip.max %d, %d : tensor<3xf64>
  %5 = clip.min %k, %k : tensor<5xi32>
  %6 = clip.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = clip.sub %s, %s : tensor<bf16>
  return
}

func.func @binary_broadcast(%x: tensor<?x77x512xf32>, %mean: tensor<?x77x1xf32>, %w: tensor<512xf32>, %s: tensor<f32>, %col: tensor<1x77xi64>, %row: tensor<77x1xi64>, %h: tensor<8x1xf16>, %g: tensor<1x4xf16>) {
  %0 = clip.sub %x, %mean : (tensor<?x77x512xf32>, tensor<?x77x1xf32>) -> tensor<?x77x512xf32>
  %1 = clip.mul %x, %w : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
  %2 = clip.add %mean, %s : (tensor<?x77x1xf32>, tensor<f32>) -> tensor<?x77x1xf32>
  %3 = clip.div %s, %w : (tensor<f32>, tensor<512xf32>) -> tensor<512xf32>
  %4 = clip.max %col, %row : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi64>
  %5 = clip.min %h, %g : (tensor<8x1xf16>, tensor<1x4xf16>) -> tensor<8x4xf16>
  %6 = clip.add %mean, %x : (tensor<?x77x1xf32>, tensor<?x77x512xf32>) -> tensor<?x77x512xf32>
  return
}

func.func @cmp(%col: tensor<1x77xi64>, %row: tensor<77x1xi64>, %a: tensor<2x3xf32>, %b: tensor<f32>, %i: tensor<?x4xi32>, %h: tensor<4xbf16>) {
  %0 = clip.cmp le, %col, %row : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi1>
  %1 = clip.cmp eq, %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %2 = clip.cmp ne, %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  %3 = clip.cmp lt, %i, %i : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi1>
  %4 = clip.cmp gt, %b, %a : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %5 = clip.cmp ge, %h, %h : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xi1>
  return
}

func.func @select(%mask: tensor<77x77xi1>, %scores: tensor<2x8x77x77xf32>, %neg_inf: tensor<f32>, %c: tensor<?x4xi1>, %t: tensor<?x4xi64>, %f: tensor<i64>, %b: tensor<3xi1>) {
  %0 = clip.select %mask, %scores, %neg_inf : (tensor<77x77xi1>, tensor<2x8x77x77xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
  %1 = clip.select %c, %t, %f : (tensor<?x4xi1>, tensor<?x4xi64>, tensor<i64>) -> tensor<?x4xi64>
  %2 = clip.select %b, %b, %b : (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %at: tensor<3x2xf32>, %bt: tensor<4x3xf32>) {
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = clip.matmul %at, %b transpose_lhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %2 = clip.matmul %a, %bt transpose_rhs : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %3 = clip.matmul %at, %bt transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

func.func @matmul_batched(%q: tensor<?x8x77x64xf32>, %k: tensor<?x8x77x64xf32>, %x: tensor<?x77x512xbf16>, %w: tensor<1536x512xbf16>, %l: tensor<2x1x4x8xf16>, %r: tensor<3x8x5xf16>, %p: tensor<2x8x77x77xf64>, %v: tensor<77x64xf64>, %i: tensor<4x2x3xi32>, %j: tensor<3x5xi32>, %n: tensor<6x7xi64>, %m: tensor<7x?xi64>) {
  %0 = clip.matmul %q, %k transpose_rhs : (tensor<?x8x77x64xf32>, tensor<?x8x77x64xf32>) -> tensor<?x8x77x77xf32>
  %1 = clip.matmul %x, %w transpose_rhs : (tensor<?x77x512xbf16>, tensor<1536x512xbf16>) -> tensor<?x77x1536xbf16>
  %2 = clip.matmul %l, %r : (tensor<2x1x4x8xf16>, tensor<3x8x5xf16>) -> tensor<2x3x4x5xf16>
  %3 = clip.matmul %p, %v : (tensor<2x8x77x77xf64>, tensor<77x64xf64>) -> tensor<2x8x77x64xf64>
  %4 = clip.matmul %i, %j : (tensor<4x2x3xi32>, tensor<3x5xi32>) -> tensor<4x2x5xi32>
  %5 = clip.matmul %n, %m : (tensor<6x7xi64>, tensor<7x?xi64>) -> tensor<6x?xi64>
  return
}

func.func @reduce(%x: tensor<?x77x512xf32>, %y: tensor<2x3x4xbf16>, %i: tensor<4x5xi64>, %h: tensor<6xf16>) {
  %0 = clip.reduce_mean %x axes [2] keepdims : tensor<?x77x512xf32> -> tensor<?x77x1xf32>
  %1 = clip.reduce_mean %x axes [2] : tensor<?x77x512xf32> -> tensor<?x77xf32>
  %2 = clip.reduce_sum %y axes [0, 2] : tensor<2x3x4xbf16> -> tensor<3xbf16>
  %3 = clip.reduce_sum %y axes [2, 0] keepdims : tensor<2x3x4xbf16> -> tensor<1x3x1xbf16>
  %4 = clip.reduce_max %i axes [1] : tensor<4x5xi64> -> tensor<4xi64>
  %5 = clip.reduce_max %x axes [0, 1, 2] : tensor<?x77x512xf32> -> tensor<f32>
  %6 = clip.reduce_sum %h axes [0] keepdims : tensor<6xf16> -> tensor<1xf16>
  %7 = clip.reduce_mean %y axes [] : tensor<2x3x4xbf16> -> tensor<2x3x4xbf16>
  return
}

func.func @argmax(%text: tensor<?x77xi64>, %x: tensor<2x3x4xf32>, %i: tensor<5xi32>) {
  %0 = clip.argmax %text axis 1 : tensor<?x77xi64> -> tensor<?xi64>
  %1 = clip.argmax %x axis 2 keepdims : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
  %2 = clip.argmax %i axis 0 : tensor<5xi32> -> tensor<i64>
  return
}

func.func @softmax(%x: tensor<?x8x77x77xf32>, %y: tensor<4x10xbf16>, %z: tensor<3xf64>) {
  %0 = clip.softmax %x axis 3 : tensor<?x8x77x77xf32>
  %1 = clip.softmax %y axis 0 : tensor<4x10xbf16>
  %2 = clip.log_softmax %y axis 1 : tensor<4x10xbf16>
  %3 = clip.log_softmax %z axis 0 : tensor<3xf64>
  return
}

func.func @reshape(%x: tensor<?x77x512xf32>, %y: tensor<2x3x4xi64>, %s: tensor<f16>, %b: tensor<6xi1>, %d: tensor<1x?x8x77x64xbf16>) {
  %0 = clip.reshape %x [-1, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<?x77x8x64xf32>
  %1 = clip.reshape %y [6, 4] : tensor<2x3x4xi64> -> tensor<6x4xi64>
  %2 = clip.reshape %y [-1] : tensor<2x3x4xi64> -> tensor<24xi64>
  %3 = clip.reshape %y [4, -1, 2] : tensor<2x3x4xi64> -> tensor<4x3x2xi64>
  %4 = clip.reshape %s [1, 1] : tensor<f16> -> tensor<1x1xf16>
  %5 = clip.reshape %b [2, 3] : tensor<6xi1> -> tensor<2x3xi1>
  %6 = clip.reshape %d [-1, 8, 77, 64] : tensor<1x?x8x77x64xbf16> -> tensor<?x8x77x64xbf16>
  %7 = clip.reshape %s [] : tensor<f16> -> tensor<f16>
  return
}

func.func @transpose(%h: tensor<2x77x8x64xf32>, %d: tensor<?x77x3x8x64xbf16>, %m: tensor<3x4xi1>, %i: tensor<5xi32>) {
  %0 = clip.transpose %h [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x8x77x64xf32>
  %1 = clip.transpose %d [2, 0, 3, 1, 4] : tensor<?x77x3x8x64xbf16> -> tensor<3x?x8x77x64xbf16>
  %2 = clip.transpose %m [1, 0] : tensor<3x4xi1> -> tensor<4x3xi1>
  %3 = clip.transpose %i [0] : tensor<5xi32> -> tensor<5xi32>
  return
}

func.func @broadcast(%cls: tensor<1x768xf32>, %s: tensor<i64>, %m: tensor<77x1xi1>, %v: tensor<4xf16>) {
  %0 = clip.broadcast %cls : tensor<1x768xf32> -> tensor<?x1x768xf32>
  %1 = clip.broadcast %s : tensor<i64> -> tensor<2x3xi64>
  %2 = clip.broadcast %m : tensor<77x1xi1> -> tensor<2x77x77xi1>
  %3 = clip.broadcast %v : tensor<4xf16> -> tensor<3x4xf16>
  %4 = clip.broadcast %cls : tensor<1x768xf32> -> tensor<1x768xf32>
  return
}

func.func @concat(%cls: tensor<2x1x768xf32>, %patches: tensor<2x196x768xf32>, %a: tensor<?x4xi64>, %b: tensor<?x2xi64>, %c: tensor<?x1xi64>, %d: tensor<3xi1>, %e: tensor<?x5xbf16>, %f: tensor<2x5xbf16>) {
  %0 = clip.concat %cls, %patches axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>) -> tensor<2x197x768xf32>
  %1 = clip.concat %a, %b, %c axis 1 : (tensor<?x4xi64>, tensor<?x2xi64>, tensor<?x1xi64>) -> tensor<?x7xi64>
  %2 = clip.concat %d, %d axis 0 : (tensor<3xi1>, tensor<3xi1>) -> tensor<6xi1>
  %3 = clip.concat %e, %f axis 0 : (tensor<?x5xbf16>, tensor<2x5xbf16>) -> tensor<?x5xbf16>
  %4 = clip.concat %cls axis 0 : (tensor<2x1x768xf32>) -> tensor<2x1x768xf32>
  return
}

func.func @slice(%x: tensor<2x197x768xf32>, %d: tensor<?x10xi32>, %h: tensor<8xf16>) {
  %0 = clip.slice %x axis 1 from 0 to 1 : tensor<2x197x768xf32> -> tensor<2x1x768xf32>
  %1 = clip.slice %x axis 1 from 1 to 197 : tensor<2x197x768xf32> -> tensor<2x196x768xf32>
  %2 = clip.slice %d axis 1 from 1 to 10 step 3 : tensor<?x10xi32> -> tensor<?x3xi32>
  %3 = clip.slice %h axis 0 from 0 to 8 step 2 : tensor<8xf16> -> tensor<4xf16>
  %4 = clip.slice %d axis 0 from 0 to 2 : tensor<?x10xi32> -> tensor<2x10xi32>
  %5 = clip.slice %h axis 0 from 3 to 3 : tensor<8xf16> -> tensor<0xf16>
  %6 = clip.slice %h axis 0 from 0 to 8 step 1 : tensor<8xf16> -> tensor<8xf16>
  return
}

func.func @gather(%table: tensor<49408x512xf32>, %text: tensor<2x77xi64>, %x: tensor<2x77x512xf32>, %eos: tensor<2xi64>, %dx: tensor<?x77x512xbf16>, %deos: tensor<?xi32>, %pos: tensor<77x512xf32>, %ids: tensor<i64>) {
  %0 = clip.gather %table[%text] axis 0 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
  %1 = clip.gather %x[%eos] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
  %2 = clip.gather %dx[%deos] axis 1 batch_dims 1 : (tensor<?x77x512xbf16>, tensor<?xi32>) -> tensor<?x512xbf16>
  %3 = clip.gather %pos[%ids] axis 0 : (tensor<77x512xf32>, tensor<i64>) -> tensor<512xf32>
  %4 = clip.gather %x[%text] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
  %5 = clip.gather %pos[%eos] axis 1 : (tensor<77x512xf32>, tensor<2xi64>) -> tensor<77x2xf32>
  %6 = clip.gather %x[%eos] axis 1 batch_dims 0 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x2x512xf32>
  return
}

func.func @conv2d(%img: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>, %b: tensor<768xf32>, %x: tensor<?x64x56x56xbf16>, %w3: tensor<64x64x3x3xbf16>, %dw: tensor<64x1x3x3xbf16>, %wg: tensor<128x16x1x1xbf16>, %bg: tensor<128xbf16>, %h: tensor<1x4x8x8xf16>, %hw: tensor<2x4x3x3xf16>, %d: tensor<1x2x5x5xf64>, %dwt: tensor<3x2x2x2xf64>) {
  %0 = clip.conv2d %img, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  %1 = clip.conv2d %img, %w bias %b stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xf32>) -> tensor<2x768x14x14xf32>
  %2 = clip.conv2d %x, %w3 stride [1, 1] padding [1, 1] : (tensor<?x64x56x56xbf16>, tensor<64x64x3x3xbf16>) -> tensor<?x64x56x56xbf16>
  %3 = clip.conv2d %x, %w3 stride [1, 1] padding [2, 2] dilation [2, 2] : (tensor<?x64x56x56xbf16>, tensor<64x64x3x3xbf16>) -> tensor<?x64x56x56xbf16>
  %4 = clip.conv2d %x, %dw stride [2, 2] padding [1, 1] groups 64 : (tensor<?x64x56x56xbf16>, tensor<64x1x3x3xbf16>) -> tensor<?x64x28x28xbf16>
  %5 = clip.conv2d %x, %wg bias %bg stride [1, 1] padding [0, 0] groups 4 : (tensor<?x64x56x56xbf16>, tensor<128x16x1x1xbf16>, tensor<128xbf16>) -> tensor<?x128x56x56xbf16>
  %6 = clip.conv2d %h, %hw stride [2, 1] padding [0, 1] dilation [1, 2] : (tensor<1x4x8x8xf16>, tensor<2x4x3x3xf16>) -> tensor<1x2x3x6xf16>
  %7 = clip.conv2d %d, %dwt stride [1, 1] padding [0, 0] dilation [3, 1] groups 1 : (tensor<1x2x5x5xf64>, tensor<3x2x2x2xf64>) -> tensor<1x3x2x4xf64>
  return
}

func.func @avg_pool2d(%x: tensor<2x64x56x56xf32>, %y: tensor<?x8x7x7xbf16>, %z: tensor<1x1x5x6xf16>) {
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  %1 = clip.avg_pool2d %y kernel [3, 3] stride [1, 1] padding [1, 1] : tensor<?x8x7x7xbf16> -> tensor<?x8x7x7xbf16>
  %2 = clip.avg_pool2d %z kernel [2, 3] stride [2, 1] padding [1, 0] : tensor<1x1x5x6xf16> -> tensor<1x1x3x4xf16>
  return
}

func.func @batch_norm(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>, %y: tensor<?x8xbf16>, %s: tensor<8xbf16>) {
  %0 = clip.batch_norm %x, %g, %b, %m, %v epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  %1 = clip.batch_norm %y, %s, %s, %s, %s epsilon 1.0e-03 : (tensor<?x8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<?x8xbf16>
  return
}

func.func @batch_norm_train(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>, %y: tensor<?x8x4xf16>, %s: tensor<8xf16>) {
  %0:3 = clip.batch_norm_train %x, %g, %b, %m, %v epsilon 1.0e-05 momentum 1.0e-01 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>)
  %1:3 = clip.batch_norm_train %y, %s, %s, %s, %s epsilon 2.0e-05 momentum 0.0 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
  %2:3 = clip.batch_norm_train %y, %s, %s, %s, %s epsilon 1.0 momentum 1.0 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
  return
}

func.func @named_results() -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<?x77xi64>) {
  %a = clip.param "visual.proj" : tensor<4x2xf32>
  %b = clip.param "visual.proj" : tensor<4x2xf32>
  %c = clip.param "0 odd/name" : tensor<2xf32>
  %d = clip.input "text" : tensor<?x77xi64>
  return %a, %b, %c, %d : tensor<4x2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<?x77xi64>
}

func.func @fused_layer_norms(%x: tensor<?x77x512xf32>, %r: tensor<?x77x512xf32>, %w: tensor<512xf32>, %b: tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x512xf32>) {
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
  %sum, %y2, %m2, %s2 = clip.add_layer_norm %x, %r, %w, %b epsilon 1.0e-05 : (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
  return %y, %y2 : tensor<?x77x512xf32>, tensor<?x77x512xf32>
}
