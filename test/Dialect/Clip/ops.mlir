// RUN: clip-opt %s | clip-opt | FileCheck %s
// RUN: clip-opt %s --mlir-print-op-generic | clip-opt | FileCheck %s

// Parse/print round trip of every op of the clip dialect, in its custom form
// and through the generic form. Defaults are elided when printed (gelu's
// `approximate none`, slice's `step 1`, gather's `batch_dims 0`, conv2d's
// `groups 1`), and a binary op whose operands and result share one type
// prints the short `: T` form.

// CHECK-LABEL: func.func @param(
// CHECK-SAME:  ) -> (tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>) {
// CHECK-NEXT:  %[[W:.*]] = clip.param "visual.proj" : tensor<768x512xf32>
// CHECK-NEXT:  %[[G:.*]] = clip.param "ln_final.weight" frozen : tensor<512xbf16>
// CHECK-NEXT:  %[[H:.*]] = clip.param "a.b" : tensor<4xf16>
// CHECK-NEXT:  %[[D:.*]] = clip.param "logit_scale" frozen : tensor<2x2xf64>
// CHECK-NEXT:  return %[[W]], %[[G]], %[[H]], %[[D]] : tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>
func.func @param() -> (tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>) {
  %w = clip.param "visual.proj" : tensor<768x512xf32>
  %g = clip.param "ln_final.weight" frozen : tensor<512xbf16>
  %h = clip.param "a.b" : tensor<4xf16>
  %d = clip.param "logit_scale" frozen : tensor<2x2xf64>
  return %w, %g, %h, %d : tensor<768x512xf32>, tensor<512xbf16>, tensor<4xf16>, tensor<2x2xf64>
}

// CHECK-LABEL: func.func @input(
// CHECK-SAME:  ) -> (tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>) {
// CHECK-NEXT:  %[[TEXT:.*]] = clip.input "text" : tensor<?x77xi64>
// CHECK-NEXT:  %[[IMAGE:.*]] = clip.input "image" : tensor<?x3x224x224xf32>
// CHECK-NEXT:  %[[LABELS:.*]] = clip.input "labels" : tensor<2xi32>
// CHECK-NEXT:  %[[MASK:.*]] = clip.input "mask" : tensor<?xi1>
// CHECK-NEXT:  %[[SCALAR:.*]] = clip.input "scalar" : tensor<f16>
// CHECK-NEXT:  return %[[TEXT]], %[[IMAGE]], %[[LABELS]], %[[MASK]], %[[SCALAR]] : tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>
func.func @input() -> (tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>) {
  %text = clip.input "text" : tensor<?x77xi64>
  %image = clip.input "image" : tensor<?x3x224x224xf32>
  %labels = clip.input "labels" : tensor<2xi32>
  %mask = clip.input "mask" : tensor<?xi1>
  %scalar = clip.input "scalar" : tensor<f16>
  return %text, %image, %labels, %mask, %scalar : tensor<?x77xi64>, tensor<?x3x224x224xf32>, tensor<2xi32>, tensor<?xi1>, tensor<f16>
}

// CHECK-LABEL: func.func @constant(
// CHECK-SAME:  ) -> tensor<f32> {
// CHECK-NEXT:  %[[SCALE:.*]] = clip.constant dense<1.250000e-01> : tensor<f32>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xbf16>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<7> : tensor<2x3xi32>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<-1.500000e+00> : tensor<4xf16>
// CHECK-NEXT:  %{{.*}} = clip.constant dense<2.500000e+00> : tensor<f64>
// CHECK-NEXT:  return %[[SCALE]] : tensor<f32>
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

// CHECK-LABEL: func.func @iota(
// CHECK-SAME:  ) -> tensor<?xi64> {
// CHECK-NEXT:  %[[LABELS:.*]] = clip.iota dim 0 : tensor<?xi64>
// CHECK-NEXT:  %{{.*}} = clip.iota dim 1 : tensor<77x77xi32>
// CHECK-NEXT:  %{{.*}} = clip.iota dim 2 : tensor<2x3x4xf32>
// CHECK-NEXT:  %{{.*}} = clip.iota dim 0 : tensor<8xbf16>
// CHECK-NEXT:  %{{.*}} = clip.iota dim 0 : tensor<3x?xf16>
// CHECK-NEXT:  return %[[LABELS]] : tensor<?xi64>
func.func @iota() -> tensor<?xi64> {
  %labels = clip.iota dim 0 : tensor<?xi64>
  %0 = clip.iota dim 1 : tensor<77x77xi32>
  %1 = clip.iota dim 2 : tensor<2x3x4xf32>
  %2 = clip.iota dim 0 : tensor<8xbf16>
  %3 = clip.iota dim 0 : tensor<3x?xf16>
  return %labels : tensor<?xi64>
}

// CHECK-LABEL: func.func @causal_mask(
// CHECK-SAME:  ) -> tensor<77x77xf32> {
// CHECK-NEXT:  %[[MASK:.*]] = clip.causal_mask : tensor<77x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.causal_mask : tensor<77x77xi1>
// CHECK-NEXT:  %{{.*}} = clip.causal_mask : tensor<?x8x16x16xf16>
// CHECK-NEXT:  %{{.*}} = clip.causal_mask : tensor<1x4x4xbf16>
// CHECK-NEXT:  %{{.*}} = clip.causal_mask : tensor<3x3xf64>
// CHECK-NEXT:  return %[[MASK]] : tensor<77x77xf32>
func.func @causal_mask() -> tensor<77x77xf32> {
  %mask = clip.causal_mask : tensor<77x77xf32>
  %0 = clip.causal_mask : tensor<77x77xi1>
  %1 = clip.causal_mask : tensor<?x8x16x16xf16>
  %2 = clip.causal_mask : tensor<1x4x4xbf16>
  %3 = clip.causal_mask : tensor<3x3xf64>
  return %mask : tensor<77x77xf32>
}

// CHECK-LABEL: func.func @unary(
// CHECK-SAME:  %[[F32:[^:]+]]: tensor<2x3xf32>, %[[BF16:[^:]+]]: tensor<?x8xbf16>, %[[F16:[^:]+]]: tensor<4xf16>, %[[F64:[^:]+]]: tensor<f64>, %[[I32:[^:]+]]: tensor<5xi32>, %[[I64:[^:]+]]: tensor<?x2xi64>) {
// CHECK-NEXT:  %{{.*}} = clip.neg %[[F32]] : tensor<2x3xf32>
// CHECK-NEXT:  %{{.*}} = clip.neg %[[I32]] : tensor<5xi32>
// CHECK-NEXT:  %{{.*}} = clip.neg %[[I64]] : tensor<?x2xi64>
// CHECK-NEXT:  %{{.*}} = clip.exp %[[F32]] : tensor<2x3xf32>
// CHECK-NEXT:  %{{.*}} = clip.log %[[BF16]] : tensor<?x8xbf16>
// CHECK-NEXT:  %{{.*}} = clip.sqrt %[[F16]] : tensor<4xf16>
// CHECK-NEXT:  %{{.*}} = clip.rsqrt %[[F64]] : tensor<f64>
// CHECK-NEXT:  %{{.*}} = clip.tanh %[[F32]] : tensor<2x3xf32>
// CHECK-NEXT:  %{{.*}} = clip.sigmoid %[[BF16]] : tensor<?x8xbf16>
// CHECK-NEXT:  %{{.*}} = clip.erf %[[F16]] : tensor<4xf16>
// CHECK-NEXT:  %{{.*}} = clip.neg %[[BF16]] : tensor<?x8xbf16>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @gelu(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<4x3072xf32>, %[[H:[^:]+]]: tensor<?x77x2048xbf16>) {
// CHECK-NEXT:  %{{.*}} = clip.gelu %[[X]] : tensor<4x3072xf32>
// CHECK-NEXT:  %{{.*}} = clip.gelu %[[X]] : tensor<4x3072xf32>
// CHECK-NEXT:  %{{.*}} = clip.gelu %[[X]] approximate tanh : tensor<4x3072xf32>
// CHECK-NEXT:  %{{.*}} = clip.gelu %[[H]] approximate quick : tensor<?x77x2048xbf16>
// CHECK-NEXT:  return
func.func @gelu(%x: tensor<4x3072xf32>, %h: tensor<?x77x2048xbf16>) {
  %0 = clip.gelu %x : tensor<4x3072xf32>
  %1 = clip.gelu %x approximate none : tensor<4x3072xf32>
  %2 = clip.gelu %x approximate tanh : tensor<4x3072xf32>
  %3 = clip.gelu %h approximate quick : tensor<?x77x2048xbf16>
  return
}

// CHECK-LABEL: func.func @cast(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<4x8xf32>, %[[T:[^:]+]]: tensor<?x77xi64>, %[[M:[^:]+]]: tensor<77x77xi1>, %[[D:[^:]+]]: tensor<f64>) {
// CHECK-NEXT:  %{{.*}} = clip.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:  %{{.*}} = clip.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xi32>
// CHECK-NEXT:  %{{.*}} = clip.cast %[[T]] : tensor<?x77xi64> to tensor<?x77xf16>
// CHECK-NEXT:  %{{.*}} = clip.cast %[[M]] : tensor<77x77xi1> to tensor<77x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.cast %[[D]] : tensor<f64> to tensor<f32>
// CHECK-NEXT:  %{{.*}} = clip.cast %[[T]] : tensor<?x77xi64> to tensor<?x77xi32>
// CHECK-NEXT:  return
func.func @cast(%x: tensor<4x8xf32>, %t: tensor<?x77xi64>, %m: tensor<77x77xi1>, %d: tensor<f64>) {
  %0 = clip.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
  %1 = clip.cast %x : tensor<4x8xf32> to tensor<4x8xi32>
  %2 = clip.cast %t : tensor<?x77xi64> to tensor<?x77xf16>
  %3 = clip.cast %m : tensor<77x77xi1> to tensor<77x77xf32>
  %4 = clip.cast %d : tensor<f64> to tensor<f32>
  %5 = clip.cast %t : tensor<?x77xi64> to tensor<?x77xi32>
  return
}

// CHECK-LABEL: func.func @binary_same(
// CHECK-SAME:  %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<2x3xf32>, %[[I:[^:]+]]: tensor<?x4xi64>, %[[J:[^:]+]]: tensor<?x4xi64>, %[[S:[^:]+]]: tensor<bf16>, %[[H:[^:]+]]: tensor<8xf16>, %[[D:[^:]+]]: tensor<3xf64>, %[[K:[^:]+]]: tensor<5xi32>) {
// CHECK-NEXT:  %{{.*}} = clip.add %[[A]], %[[B]] : tensor<2x3xf32>
// CHECK-NEXT:  %{{.*}} = clip.sub %[[I]], %[[J]] : tensor<?x4xi64>
// CHECK-NEXT:  %{{.*}} = clip.mul %[[S]], %[[S]] : tensor<bf16>
// CHECK-NEXT:  %{{.*}} = clip.div %[[H]], %[[H]] : tensor<8xf16>
// CHECK-NEXT:  %{{.*}} = clip.max %[[D]], %[[D]] : tensor<3xf64>
// CHECK-NEXT:  %{{.*}} = clip.min %[[K]], %[[K]] : tensor<5xi32>
// CHECK-NEXT:  %{{.*}} = clip.add %[[A]], %[[B]] : tensor<2x3xf32>
// CHECK-NEXT:  %{{.*}} = clip.sub %[[S]], %[[S]] : tensor<bf16>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @binary_broadcast(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<?x77x512xf32>, %[[MEAN:[^:]+]]: tensor<?x77x1xf32>, %[[W:[^:]+]]: tensor<512xf32>, %[[S:[^:]+]]: tensor<f32>, %[[COL:[^:]+]]: tensor<1x77xi64>, %[[ROW:[^:]+]]: tensor<77x1xi64>, %[[H:[^:]+]]: tensor<8x1xf16>, %[[G:[^:]+]]: tensor<1x4xf16>) {
// CHECK-NEXT:  %{{.*}} = clip.sub %[[X]], %[[MEAN]] : (tensor<?x77x512xf32>, tensor<?x77x1xf32>) -> tensor<?x77x512xf32>
// CHECK-NEXT:  %{{.*}} = clip.mul %[[X]], %[[W]] : (tensor<?x77x512xf32>, tensor<512xf32>) -> tensor<?x77x512xf32>
// CHECK-NEXT:  %{{.*}} = clip.add %[[MEAN]], %[[S]] : (tensor<?x77x1xf32>, tensor<f32>) -> tensor<?x77x1xf32>
// CHECK-NEXT:  %{{.*}} = clip.div %[[S]], %[[W]] : (tensor<f32>, tensor<512xf32>) -> tensor<512xf32>
// CHECK-NEXT:  %{{.*}} = clip.max %[[COL]], %[[ROW]] : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi64>
// CHECK-NEXT:  %{{.*}} = clip.min %[[H]], %[[G]] : (tensor<8x1xf16>, tensor<1x4xf16>) -> tensor<8x4xf16>
// CHECK-NEXT:  %{{.*}} = clip.add %[[MEAN]], %[[X]] : (tensor<?x77x1xf32>, tensor<?x77x512xf32>) -> tensor<?x77x512xf32>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @cmp(
// CHECK-SAME:  %[[COL:[^:]+]]: tensor<1x77xi64>, %[[ROW:[^:]+]]: tensor<77x1xi64>, %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<f32>, %[[I:[^:]+]]: tensor<?x4xi32>, %[[H:[^:]+]]: tensor<4xbf16>) {
// CHECK-NEXT:  %{{.*}} = clip.cmp le, %[[COL]], %[[ROW]] : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi1>
// CHECK-NEXT:  %{{.*}} = clip.cmp eq, %[[A]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT:  %{{.*}} = clip.cmp ne, %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
// CHECK-NEXT:  %{{.*}} = clip.cmp lt, %[[I]], %[[I]] : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi1>
// CHECK-NEXT:  %{{.*}} = clip.cmp gt, %[[B]], %[[A]] : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT:  %{{.*}} = clip.cmp ge, %[[H]], %[[H]] : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xi1>
// CHECK-NEXT:  return
func.func @cmp(%col: tensor<1x77xi64>, %row: tensor<77x1xi64>, %a: tensor<2x3xf32>, %b: tensor<f32>, %i: tensor<?x4xi32>, %h: tensor<4xbf16>) {
  %0 = clip.cmp le, %col, %row : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi1>
  %1 = clip.cmp eq, %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %2 = clip.cmp ne, %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  %3 = clip.cmp lt, %i, %i : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi1>
  %4 = clip.cmp gt, %b, %a : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %5 = clip.cmp ge, %h, %h : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xi1>
  return
}

// CHECK-LABEL: func.func @select(
// CHECK-SAME:  %[[MASK:[^:]+]]: tensor<77x77xi1>, %[[SCORES:[^:]+]]: tensor<2x8x77x77xf32>, %[[NEG_INF:[^:]+]]: tensor<f32>, %[[C:[^:]+]]: tensor<?x4xi1>, %[[T:[^:]+]]: tensor<?x4xi64>, %[[F:[^:]+]]: tensor<i64>, %[[B:[^:]+]]: tensor<3xi1>) {
// CHECK-NEXT:  %{{.*}} = clip.select %[[MASK]], %[[SCORES]], %[[NEG_INF]] : (tensor<77x77xi1>, tensor<2x8x77x77xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.select %[[C]], %[[T]], %[[F]] : (tensor<?x4xi1>, tensor<?x4xi64>, tensor<i64>) -> tensor<?x4xi64>
// CHECK-NEXT:  %{{.*}} = clip.select %[[B]], %[[B]], %[[B]] : (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
// CHECK-NEXT:  return
func.func @select(%mask: tensor<77x77xi1>, %scores: tensor<2x8x77x77xf32>, %neg_inf: tensor<f32>, %c: tensor<?x4xi1>, %t: tensor<?x4xi64>, %f: tensor<i64>, %b: tensor<3xi1>) {
  %0 = clip.select %mask, %scores, %neg_inf : (tensor<77x77xi1>, tensor<2x8x77x77xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
  %1 = clip.select %c, %t, %f : (tensor<?x4xi1>, tensor<?x4xi64>, tensor<i64>) -> tensor<?x4xi64>
  %2 = clip.select %b, %b, %b : (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:  %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x4xf32>, %[[AT:[^:]+]]: tensor<3x2xf32>, %[[BT:[^:]+]]: tensor<4x3xf32>) {
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[AT]], %[[B]] transpose_lhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[A]], %[[BT]] transpose_rhs : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[AT]], %[[BT]] transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:  return
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %at: tensor<3x2xf32>, %bt: tensor<4x3xf32>) {
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = clip.matmul %at, %b transpose_lhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %2 = clip.matmul %a, %bt transpose_rhs : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %3 = clip.matmul %at, %bt transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @matmul_batched(
// CHECK-SAME:  %[[Q:[^:]+]]: tensor<?x8x77x64xf32>, %[[K:[^:]+]]: tensor<?x8x77x64xf32>, %[[X:[^:]+]]: tensor<?x77x512xbf16>, %[[W:[^:]+]]: tensor<1536x512xbf16>, %[[L:[^:]+]]: tensor<2x1x4x8xf16>, %[[R:[^:]+]]: tensor<3x8x5xf16>, %[[P:[^:]+]]: tensor<2x8x77x77xf64>, %[[V:[^:]+]]: tensor<77x64xf64>, %[[I:[^:]+]]: tensor<4x2x3xi32>, %[[J:[^:]+]]: tensor<3x5xi32>, %[[N:[^:]+]]: tensor<6x7xi64>, %[[M:[^:]+]]: tensor<7x?xi64>) {
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[Q]], %[[K]] transpose_rhs : (tensor<?x8x77x64xf32>, tensor<?x8x77x64xf32>) -> tensor<?x8x77x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[X]], %[[W]] transpose_rhs : (tensor<?x77x512xbf16>, tensor<1536x512xbf16>) -> tensor<?x77x1536xbf16>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[L]], %[[R]] : (tensor<2x1x4x8xf16>, tensor<3x8x5xf16>) -> tensor<2x3x4x5xf16>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[P]], %[[V]] : (tensor<2x8x77x77xf64>, tensor<77x64xf64>) -> tensor<2x8x77x64xf64>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[I]], %[[J]] : (tensor<4x2x3xi32>, tensor<3x5xi32>) -> tensor<4x2x5xi32>
// CHECK-NEXT:  %{{.*}} = clip.matmul %[[N]], %[[M]] : (tensor<6x7xi64>, tensor<7x?xi64>) -> tensor<6x?xi64>
// CHECK-NEXT:  return
func.func @matmul_batched(%q: tensor<?x8x77x64xf32>, %k: tensor<?x8x77x64xf32>, %x: tensor<?x77x512xbf16>, %w: tensor<1536x512xbf16>, %l: tensor<2x1x4x8xf16>, %r: tensor<3x8x5xf16>, %p: tensor<2x8x77x77xf64>, %v: tensor<77x64xf64>, %i: tensor<4x2x3xi32>, %j: tensor<3x5xi32>, %n: tensor<6x7xi64>, %m: tensor<7x?xi64>) {
  %0 = clip.matmul %q, %k transpose_rhs : (tensor<?x8x77x64xf32>, tensor<?x8x77x64xf32>) -> tensor<?x8x77x77xf32>
  %1 = clip.matmul %x, %w transpose_rhs : (tensor<?x77x512xbf16>, tensor<1536x512xbf16>) -> tensor<?x77x1536xbf16>
  %2 = clip.matmul %l, %r : (tensor<2x1x4x8xf16>, tensor<3x8x5xf16>) -> tensor<2x3x4x5xf16>
  %3 = clip.matmul %p, %v : (tensor<2x8x77x77xf64>, tensor<77x64xf64>) -> tensor<2x8x77x64xf64>
  %4 = clip.matmul %i, %j : (tensor<4x2x3xi32>, tensor<3x5xi32>) -> tensor<4x2x5xi32>
  %5 = clip.matmul %n, %m : (tensor<6x7xi64>, tensor<7x?xi64>) -> tensor<6x?xi64>
  return
}

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<?x77x512xf32>, %[[Y:[^:]+]]: tensor<2x3x4xbf16>, %[[I:[^:]+]]: tensor<4x5xi64>, %[[H:[^:]+]]: tensor<6xf16>) {
// CHECK-NEXT:  %{{.*}} = clip.reduce_mean %[[X]] axes [2] keepdims : tensor<?x77x512xf32> -> tensor<?x77x1xf32>
// CHECK-NEXT:  %{{.*}} = clip.reduce_mean %[[X]] axes [2] : tensor<?x77x512xf32> -> tensor<?x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.reduce_sum %[[Y]] axes [0, 2] : tensor<2x3x4xbf16> -> tensor<3xbf16>
// CHECK-NEXT:  %{{.*}} = clip.reduce_sum %[[Y]] axes [2, 0] keepdims : tensor<2x3x4xbf16> -> tensor<1x3x1xbf16>
// CHECK-NEXT:  %{{.*}} = clip.reduce_max %[[I]] axes [1] : tensor<4x5xi64> -> tensor<4xi64>
// CHECK-NEXT:  %{{.*}} = clip.reduce_max %[[X]] axes [0, 1, 2] : tensor<?x77x512xf32> -> tensor<f32>
// CHECK-NEXT:  %{{.*}} = clip.reduce_sum %[[H]] axes [0] keepdims : tensor<6xf16> -> tensor<1xf16>
// CHECK-NEXT:  %{{.*}} = clip.reduce_mean %[[Y]] axes [] : tensor<2x3x4xbf16> -> tensor<2x3x4xbf16>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @argmax(
// CHECK-SAME:  %[[TEXT:[^:]+]]: tensor<?x77xi64>, %[[X:[^:]+]]: tensor<2x3x4xf32>, %[[I:[^:]+]]: tensor<5xi32>) {
// CHECK-NEXT:  %{{.*}} = clip.argmax %[[TEXT]] axis 1 : tensor<?x77xi64> -> tensor<?xi64>
// CHECK-NEXT:  %{{.*}} = clip.argmax %[[X]] axis 2 keepdims : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
// CHECK-NEXT:  %{{.*}} = clip.argmax %[[I]] axis 0 : tensor<5xi32> -> tensor<i64>
// CHECK-NEXT:  return
func.func @argmax(%text: tensor<?x77xi64>, %x: tensor<2x3x4xf32>, %i: tensor<5xi32>) {
  %0 = clip.argmax %text axis 1 : tensor<?x77xi64> -> tensor<?xi64>
  %1 = clip.argmax %x axis 2 keepdims : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
  %2 = clip.argmax %i axis 0 : tensor<5xi32> -> tensor<i64>
  return
}

// CHECK-LABEL: func.func @softmax(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<?x8x77x77xf32>, %[[Y:[^:]+]]: tensor<4x10xbf16>, %[[Z:[^:]+]]: tensor<3xf64>) {
// CHECK-NEXT:  %{{.*}} = clip.softmax %[[X]] axis 3 : tensor<?x8x77x77xf32>
// CHECK-NEXT:  %{{.*}} = clip.softmax %[[Y]] axis 0 : tensor<4x10xbf16>
// CHECK-NEXT:  %{{.*}} = clip.log_softmax %[[Y]] axis 1 : tensor<4x10xbf16>
// CHECK-NEXT:  %{{.*}} = clip.log_softmax %[[Z]] axis 0 : tensor<3xf64>
// CHECK-NEXT:  return
func.func @softmax(%x: tensor<?x8x77x77xf32>, %y: tensor<4x10xbf16>, %z: tensor<3xf64>) {
  %0 = clip.softmax %x axis 3 : tensor<?x8x77x77xf32>
  %1 = clip.softmax %y axis 0 : tensor<4x10xbf16>
  %2 = clip.log_softmax %y axis 1 : tensor<4x10xbf16>
  %3 = clip.log_softmax %z axis 0 : tensor<3xf64>
  return
}

// CHECK-LABEL: func.func @reshape(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<?x77x512xf32>, %[[Y:[^:]+]]: tensor<2x3x4xi64>, %[[S:[^:]+]]: tensor<f16>, %[[B:[^:]+]]: tensor<6xi1>, %[[D:[^:]+]]: tensor<1x?x8x77x64xbf16>) {
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[X]] [-1, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<?x77x8x64xf32>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[Y]] [6, 4] : tensor<2x3x4xi64> -> tensor<6x4xi64>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[Y]] [-1] : tensor<2x3x4xi64> -> tensor<24xi64>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[Y]] [4, -1, 2] : tensor<2x3x4xi64> -> tensor<4x3x2xi64>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[S]] [1, 1] : tensor<f16> -> tensor<1x1xf16>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[B]] [2, 3] : tensor<6xi1> -> tensor<2x3xi1>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[D]] [-1, 8, 77, 64] : tensor<1x?x8x77x64xbf16> -> tensor<?x8x77x64xbf16>
// CHECK-NEXT:  %{{.*}} = clip.reshape %[[S]] [] : tensor<f16> -> tensor<f16>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME:  %[[H:[^:]+]]: tensor<2x77x8x64xf32>, %[[D:[^:]+]]: tensor<?x77x3x8x64xbf16>, %[[M:[^:]+]]: tensor<3x4xi1>, %[[I:[^:]+]]: tensor<5xi32>) {
// CHECK-NEXT:  %{{.*}} = clip.transpose %[[H]] [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x8x77x64xf32>
// CHECK-NEXT:  %{{.*}} = clip.transpose %[[D]] [2, 0, 3, 1, 4] : tensor<?x77x3x8x64xbf16> -> tensor<3x?x8x77x64xbf16>
// CHECK-NEXT:  %{{.*}} = clip.transpose %[[M]] [1, 0] : tensor<3x4xi1> -> tensor<4x3xi1>
// CHECK-NEXT:  %{{.*}} = clip.transpose %[[I]] [0] : tensor<5xi32> -> tensor<5xi32>
// CHECK-NEXT:  return
func.func @transpose(%h: tensor<2x77x8x64xf32>, %d: tensor<?x77x3x8x64xbf16>, %m: tensor<3x4xi1>, %i: tensor<5xi32>) {
  %0 = clip.transpose %h [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x8x77x64xf32>
  %1 = clip.transpose %d [2, 0, 3, 1, 4] : tensor<?x77x3x8x64xbf16> -> tensor<3x?x8x77x64xbf16>
  %2 = clip.transpose %m [1, 0] : tensor<3x4xi1> -> tensor<4x3xi1>
  %3 = clip.transpose %i [0] : tensor<5xi32> -> tensor<5xi32>
  return
}

// CHECK-LABEL: func.func @broadcast(
// CHECK-SAME:  %[[CLS:[^:]+]]: tensor<1x768xf32>, %[[S:[^:]+]]: tensor<i64>, %[[M:[^:]+]]: tensor<77x1xi1>, %[[V:[^:]+]]: tensor<4xf16>) {
// CHECK-NEXT:  %{{.*}} = clip.broadcast %[[CLS]] : tensor<1x768xf32> -> tensor<?x1x768xf32>
// CHECK-NEXT:  %{{.*}} = clip.broadcast %[[S]] : tensor<i64> -> tensor<2x3xi64>
// CHECK-NEXT:  %{{.*}} = clip.broadcast %[[M]] : tensor<77x1xi1> -> tensor<2x77x77xi1>
// CHECK-NEXT:  %{{.*}} = clip.broadcast %[[V]] : tensor<4xf16> -> tensor<3x4xf16>
// CHECK-NEXT:  %{{.*}} = clip.broadcast %[[CLS]] : tensor<1x768xf32> -> tensor<1x768xf32>
// CHECK-NEXT:  return
func.func @broadcast(%cls: tensor<1x768xf32>, %s: tensor<i64>, %m: tensor<77x1xi1>, %v: tensor<4xf16>) {
  %0 = clip.broadcast %cls : tensor<1x768xf32> -> tensor<?x1x768xf32>
  %1 = clip.broadcast %s : tensor<i64> -> tensor<2x3xi64>
  %2 = clip.broadcast %m : tensor<77x1xi1> -> tensor<2x77x77xi1>
  %3 = clip.broadcast %v : tensor<4xf16> -> tensor<3x4xf16>
  %4 = clip.broadcast %cls : tensor<1x768xf32> -> tensor<1x768xf32>
  return
}

// CHECK-LABEL: func.func @concat(
// CHECK-SAME:  %[[CLS:[^:]+]]: tensor<2x1x768xf32>, %[[PATCHES:[^:]+]]: tensor<2x196x768xf32>, %[[A:[^:]+]]: tensor<?x4xi64>, %[[B:[^:]+]]: tensor<?x2xi64>, %[[C:[^:]+]]: tensor<?x1xi64>, %[[D:[^:]+]]: tensor<3xi1>, %[[E:[^:]+]]: tensor<?x5xbf16>, %[[F:[^:]+]]: tensor<2x5xbf16>) {
// CHECK-NEXT:  %{{.*}} = clip.concat %[[CLS]], %[[PATCHES]] axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>) -> tensor<2x197x768xf32>
// CHECK-NEXT:  %{{.*}} = clip.concat %[[A]], %[[B]], %[[C]] axis 1 : (tensor<?x4xi64>, tensor<?x2xi64>, tensor<?x1xi64>) -> tensor<?x7xi64>
// CHECK-NEXT:  %{{.*}} = clip.concat %[[D]], %[[D]] axis 0 : (tensor<3xi1>, tensor<3xi1>) -> tensor<6xi1>
// CHECK-NEXT:  %{{.*}} = clip.concat %[[E]], %[[F]] axis 0 : (tensor<?x5xbf16>, tensor<2x5xbf16>) -> tensor<?x5xbf16>
// CHECK-NEXT:  %{{.*}} = clip.concat %[[CLS]] axis 0 : (tensor<2x1x768xf32>) -> tensor<2x1x768xf32>
// CHECK-NEXT:  return
func.func @concat(%cls: tensor<2x1x768xf32>, %patches: tensor<2x196x768xf32>, %a: tensor<?x4xi64>, %b: tensor<?x2xi64>, %c: tensor<?x1xi64>, %d: tensor<3xi1>, %e: tensor<?x5xbf16>, %f: tensor<2x5xbf16>) {
  %0 = clip.concat %cls, %patches axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>) -> tensor<2x197x768xf32>
  %1 = clip.concat %a, %b, %c axis 1 : (tensor<?x4xi64>, tensor<?x2xi64>, tensor<?x1xi64>) -> tensor<?x7xi64>
  %2 = clip.concat %d, %d axis 0 : (tensor<3xi1>, tensor<3xi1>) -> tensor<6xi1>
  %3 = clip.concat %e, %f axis 0 : (tensor<?x5xbf16>, tensor<2x5xbf16>) -> tensor<?x5xbf16>
  %4 = clip.concat %cls axis 0 : (tensor<2x1x768xf32>) -> tensor<2x1x768xf32>
  return
}

// CHECK-LABEL: func.func @slice(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<2x197x768xf32>, %[[D:[^:]+]]: tensor<?x10xi32>, %[[H:[^:]+]]: tensor<8xf16>) {
// CHECK-NEXT:  %{{.*}} = clip.slice %[[X]] axis 1 from 0 to 1 : tensor<2x197x768xf32> -> tensor<2x1x768xf32>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[X]] axis 1 from 1 to 197 : tensor<2x197x768xf32> -> tensor<2x196x768xf32>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[D]] axis 1 from 1 to 10 step 3 : tensor<?x10xi32> -> tensor<?x3xi32>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[H]] axis 0 from 0 to 8 step 2 : tensor<8xf16> -> tensor<4xf16>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[D]] axis 0 from 0 to 2 : tensor<?x10xi32> -> tensor<2x10xi32>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[H]] axis 0 from 3 to 3 : tensor<8xf16> -> tensor<0xf16>
// CHECK-NEXT:  %{{.*}} = clip.slice %[[H]] axis 0 from 0 to 8 : tensor<8xf16> -> tensor<8xf16>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @gather(
// CHECK-SAME:  %[[TABLE:[^:]+]]: tensor<49408x512xf32>, %[[TEXT:[^:]+]]: tensor<2x77xi64>, %[[X:[^:]+]]: tensor<2x77x512xf32>, %[[EOS:[^:]+]]: tensor<2xi64>, %[[DX:[^:]+]]: tensor<?x77x512xbf16>, %[[DEOS:[^:]+]]: tensor<?xi32>, %[[POS:[^:]+]]: tensor<77x512xf32>, %[[IDS:[^:]+]]: tensor<i64>) {
// CHECK-NEXT:  %{{.*}} = clip.gather %[[TABLE]][%[[TEXT]]] axis 0 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[X]][%[[EOS]]] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[DX]][%[[DEOS]]] axis 1 batch_dims 1 : (tensor<?x77x512xbf16>, tensor<?xi32>) -> tensor<?x512xbf16>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[POS]][%[[IDS]]] axis 0 : (tensor<77x512xf32>, tensor<i64>) -> tensor<512xf32>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[X]][%[[TEXT]]] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[POS]][%[[EOS]]] axis 1 : (tensor<77x512xf32>, tensor<2xi64>) -> tensor<77x2xf32>
// CHECK-NEXT:  %{{.*}} = clip.gather %[[X]][%[[EOS]]] axis 1 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x2x512xf32>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @conv2d(
// CHECK-SAME:  %[[IMG:[^:]+]]: tensor<2x3x224x224xf32>, %[[W:[^:]+]]: tensor<768x3x16x16xf32>, %[[B:[^:]+]]: tensor<768xf32>, %[[X:[^:]+]]: tensor<?x64x56x56xbf16>, %[[W3:[^:]+]]: tensor<64x64x3x3xbf16>, %[[DW:[^:]+]]: tensor<64x1x3x3xbf16>, %[[WG:[^:]+]]: tensor<128x16x1x1xbf16>, %[[BG:[^:]+]]: tensor<128xbf16>, %[[H:[^:]+]]: tensor<1x4x8x8xf16>, %[[HW:[^:]+]]: tensor<2x4x3x3xf16>, %[[D:[^:]+]]: tensor<1x2x5x5xf64>, %[[DWT:[^:]+]]: tensor<3x2x2x2xf64>) {
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[IMG]], %[[W]] stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[IMG]], %[[W]] bias %[[B]] stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xf32>) -> tensor<2x768x14x14xf32>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[X]], %[[W3]] stride [1, 1] padding [1, 1] : (tensor<?x64x56x56xbf16>, tensor<64x64x3x3xbf16>) -> tensor<?x64x56x56xbf16>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[X]], %[[W3]] stride [1, 1] padding [2, 2] dilation [2, 2] : (tensor<?x64x56x56xbf16>, tensor<64x64x3x3xbf16>) -> tensor<?x64x56x56xbf16>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[X]], %[[DW]] stride [2, 2] padding [1, 1] groups 64 : (tensor<?x64x56x56xbf16>, tensor<64x1x3x3xbf16>) -> tensor<?x64x28x28xbf16>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[X]], %[[WG]] bias %[[BG]] stride [1, 1] padding [0, 0] groups 4 : (tensor<?x64x56x56xbf16>, tensor<128x16x1x1xbf16>, tensor<128xbf16>) -> tensor<?x128x56x56xbf16>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[H]], %[[HW]] stride [2, 1] padding [0, 1] dilation [1, 2] : (tensor<1x4x8x8xf16>, tensor<2x4x3x3xf16>) -> tensor<1x2x3x6xf16>
// CHECK-NEXT:  %{{.*}} = clip.conv2d %[[D]], %[[DWT]] stride [1, 1] padding [0, 0] dilation [3, 1] : (tensor<1x2x5x5xf64>, tensor<3x2x2x2xf64>) -> tensor<1x3x2x4xf64>
// CHECK-NEXT:  return
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

// CHECK-LABEL: func.func @avg_pool2d(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<2x64x56x56xf32>, %[[Y:[^:]+]]: tensor<?x8x7x7xbf16>, %[[Z:[^:]+]]: tensor<1x1x5x6xf16>) {
// CHECK-NEXT:  %{{.*}} = clip.avg_pool2d %[[X]] kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
// CHECK-NEXT:  %{{.*}} = clip.avg_pool2d %[[Y]] kernel [3, 3] stride [1, 1] padding [1, 1] : tensor<?x8x7x7xbf16> -> tensor<?x8x7x7xbf16>
// CHECK-NEXT:  %{{.*}} = clip.avg_pool2d %[[Z]] kernel [2, 3] stride [2, 1] padding [1, 0] : tensor<1x1x5x6xf16> -> tensor<1x1x3x4xf16>
// CHECK-NEXT:  return
func.func @avg_pool2d(%x: tensor<2x64x56x56xf32>, %y: tensor<?x8x7x7xbf16>, %z: tensor<1x1x5x6xf16>) {
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  %1 = clip.avg_pool2d %y kernel [3, 3] stride [1, 1] padding [1, 1] : tensor<?x8x7x7xbf16> -> tensor<?x8x7x7xbf16>
  %2 = clip.avg_pool2d %z kernel [2, 3] stride [2, 1] padding [1, 0] : tensor<1x1x5x6xf16> -> tensor<1x1x3x4xf16>
  return
}

// CHECK-LABEL: func.func @batch_norm(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<2x64x56x56xf32>, %[[G:[^:]+]]: tensor<64xf32>, %[[B:[^:]+]]: tensor<64xf32>, %[[M:[^:]+]]: tensor<64xf32>, %[[V:[^:]+]]: tensor<64xf32>, %[[Y:[^:]+]]: tensor<?x8xbf16>, %[[S:[^:]+]]: tensor<8xbf16>) {
// CHECK-NEXT:  %{{.*}} = clip.batch_norm %[[X]], %[[G]], %[[B]], %[[M]], %[[V]] epsilon 1.000000e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
// CHECK-NEXT:  %{{.*}} = clip.batch_norm %[[Y]], %[[S]], %[[S]], %[[S]], %[[S]] epsilon 1.000000e-03 : (tensor<?x8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<?x8xbf16>
// CHECK-NEXT:  return
func.func @batch_norm(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>, %y: tensor<?x8xbf16>, %s: tensor<8xbf16>) {
  %0 = clip.batch_norm %x, %g, %b, %m, %v epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  %1 = clip.batch_norm %y, %s, %s, %s, %s epsilon 1.0e-03 : (tensor<?x8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<?x8xbf16>
  return
}

// CHECK-LABEL: func.func @batch_norm_train(
// CHECK-SAME:  %[[X:[^:]+]]: tensor<2x64x56x56xf32>, %[[G:[^:]+]]: tensor<64xf32>, %[[B:[^:]+]]: tensor<64xf32>, %[[M:[^:]+]]: tensor<64xf32>, %[[V:[^:]+]]: tensor<64xf32>, %[[Y:[^:]+]]: tensor<?x8x4xf16>, %[[S:[^:]+]]: tensor<8xf16>) {
// CHECK-NEXT:  %{{.*}}, %{{.*}}, %{{.*}} = clip.batch_norm_train %[[X]], %[[G]], %[[B]], %[[M]], %[[V]] epsilon 1.000000e-05 momentum 1.000000e-01 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK-NEXT:  %{{.*}}, %{{.*}}, %{{.*}} = clip.batch_norm_train %[[Y]], %[[S]], %[[S]], %[[S]], %[[S]] epsilon 2.000000e-05 momentum 0.000000e+00 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
// CHECK-NEXT:  %{{.*}}, %{{.*}}, %{{.*}} = clip.batch_norm_train %[[Y]], %[[S]], %[[S]], %[[S]], %[[S]] epsilon 1.000000e+00 momentum 1.000000e+00 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
// CHECK-NEXT:  return
func.func @batch_norm_train(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>, %y: tensor<?x8x4xf16>, %s: tensor<8xf16>) {
  %0:3 = clip.batch_norm_train %x, %g, %b, %m, %v epsilon 1.0e-05 momentum 1.0e-01 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>)
  %1:3 = clip.batch_norm_train %y, %s, %s, %s, %s epsilon 2.0e-05 momentum 0.0 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
  %2:3 = clip.batch_norm_train %y, %s, %s, %s, %s epsilon 1.0 momentum 1.0 : (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<?x8x4xf16>, tensor<8xf16>, tensor<8xf16>)
  return
}

// Parameters and inputs print under their own names; repeated or unusual
// names are made unique and legal by the printer and still round-trip.
// CHECK-LABEL: func.func @named_results(
// CHECK-NEXT:  %visual.proj = clip.param "visual.proj" : tensor<4x2xf32>
// CHECK-NEXT:  %visual.proj_0 = clip.param "visual.proj" : tensor<4x2xf32>
// CHECK-NEXT:  %_0_odd2Fname = clip.param "0 odd/name" : tensor<2xf32>
// CHECK-NEXT:  %text = clip.input "text" : tensor<?x77xi64>
func.func @named_results() -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<?x77xi64>) {
  %a = clip.param "visual.proj" : tensor<4x2xf32>
  %b = clip.param "visual.proj" : tensor<4x2xf32>
  %c = clip.param "0 odd/name" : tensor<2xf32>
  %d = clip.input "text" : tensor<?x77xi64>
  return %a, %b, %c, %d : tensor<4x2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<?x77xi64>
}

// Fused layer norms (the other fused ops: fused-ops.mlir), with their
// result names.
// CHECK-LABEL: func.func @fused_layer_norms(
// CHECK-NEXT:  %ln, %ln_mean, %ln_rstd = clip.layer_norm %arg0, %arg2, %arg3 epsilon 1.000000e-05 : (tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
// CHECK-NEXT:  %stream, %ln_0, %ln_mean_1, %ln_rstd_2 = clip.add_layer_norm %arg0, %arg1, %arg2, %arg3 epsilon 1.000000e-05 : (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
func.func @fused_layer_norms(%x: tensor<?x77x512xf32>, %r: tensor<?x77x512xf32>, %w: tensor<512xf32>, %b: tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x512xf32>) {
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
  %sum, %y2, %m2, %s2 = clip.add_layer_norm %x, %r, %w, %b epsilon 1.0e-05 : (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<?x77x512xf32>, tensor<?x77x512xf32>, tensor<?x77x1xf32>, tensor<?x77x1xf32>)
  return %y, %y2 : tensor<?x77x512xf32>, tensor<?x77x512xf32>
}
