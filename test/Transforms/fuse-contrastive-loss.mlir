// RUN: clip-opt --split-input-file --clip-fuse-contrastive-loss %s | FileCheck %s

// The model files' form (OpenCLIP's ClipLoss); the logits are returned too,
// so they stay, but nothing of the loss does.
// CHECK-LABEL: func.func @model_form
// CHECK-SAME: (%[[I:.*]]: tensor<4x8xf32>, %[[T:.*]]: tensor<4x8xf32>, %[[S:.*]]: tensor<f32>)
// CHECK-NOT: log_softmax
// CHECK: %[[LOGITS:.*]] = clip.mul %{{.*}}, %{{.*}} : (tensor<4x4xf32>, tensor<f32>)
// CHECK-NEXT: %[[LOSS:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = clip.contrastive_loss %[[I]], %[[T]], %[[S]] epsilon 9.999999960041972E-13 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: return %[[LOSS]], %[[LOGITS]]
func.func @model_form(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>) -> (tensor<f32>, tensor<4x4xf32>) {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %eps, %tnorm : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %tlp = clip.log_softmax %logits axis 0 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %neg_half = clip.constant dense<-5.0e-01> : tensor<f32>
  %loss = clip.mul %total, %neg_half : tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<4x4xf32>
}

// -----

// OpenCLIP's get_logits spelling: logits_per_text as its own matmul, the
// text term first, the key transposed explicitly, -0.5 as neg and / 2.
// CHECK-LABEL: func.func @logits_per_text
// CHECK-NEXT: %[[LOSS:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = clip.contrastive_loss %arg0, %arg1, %arg2 epsilon 9.9999999999999998E-13 : (tensor<3x5xf64>
// CHECK-NEXT: return %[[LOSS]]
func.func @logits_per_text(%image: tensor<3x5xf64>, %text: tensor<3x5xf64>, %logit_scale: tensor<f64>) -> tensor<f64> {
  %eps = clip.constant dense<1.0e-12> : tensor<f64>
  %isq = clip.mul %image, %image : tensor<3x5xf64>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<3x5xf64> -> tensor<3x1xf64>
  %inorm = clip.sqrt %iss : tensor<3x1xf64>
  %iclamp = clip.max %inorm, %eps : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xf64>
  %in = clip.div %image, %iclamp : (tensor<3x5xf64>, tensor<3x1xf64>) -> tensor<3x5xf64>
  %tsq = clip.mul %text, %text : tensor<3x5xf64>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<3x5xf64> -> tensor<3x1xf64>
  %tnorm = clip.sqrt %tss : tensor<3x1xf64>
  %tclamp = clip.max %tnorm, %eps : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xf64>
  %tn = clip.div %text, %tclamp : (tensor<3x5xf64>, tensor<3x1xf64>) -> tensor<3x5xf64>
  %scale = clip.exp %logit_scale : tensor<f64>
  %int = clip.transpose %in [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
  %tsim = clip.matmul %tn, %int : (tensor<3x5xf64>, tensor<5x3xf64>) -> tensor<3x3xf64>
  %per_text = clip.mul %scale, %tsim : (tensor<f64>, tensor<3x3xf64>) -> tensor<3x3xf64>
  %isim = clip.matmul %in, %tn transpose_rhs : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x3xf64>
  %per_image = clip.mul %isim, %scale : (tensor<3x3xf64>, tensor<f64>) -> tensor<3x3xf64>
  %labels = clip.iota dim 0 : tensor<3xi64>
  %tlp = clip.log_softmax %per_text axis 1 : tensor<3x3xf64>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<3x3xf64>, tensor<3xi64>) -> tensor<3xf64>
  %tm = clip.reduce_mean %tc axes [0] : tensor<3xf64> -> tensor<f64>
  %ilp = clip.log_softmax %per_image axis 1 : tensor<3x3xf64>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<3x3xf64>, tensor<3xi64>) -> tensor<3xf64>
  %im = clip.reduce_mean %ic axes [0] : tensor<3xf64> -> tensor<f64>
  %total = clip.add %tm, %im : tensor<f64>
  %neg = clip.neg %total : tensor<f64>
  %two = clip.constant dense<2.0> : tensor<f64>
  %loss = clip.div %neg, %two : tensor<f64>
  return %loss : tensor<f64>
}

// -----

// The text term as log_softmax of the transposed logits.
// CHECK-LABEL: func.func @transposed_logits
// CHECK: clip.contrastive_loss %arg0, %arg1, %arg2
// CHECK-NOT: log_softmax
func.func @transposed_logits(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %lt = clip.transpose %logits [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %tlp = clip.log_softmax %lt axis 1 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %half = clip.constant dense<5.0e-01> : tensor<f32>
  %h = clip.mul %half, %total : tensor<f32>
  %loss = clip.neg %h : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Near misses, each keeping its log_softmax ops.
// Only the image->text term (a one-sided loss).
// CHECK-LABEL: func.func @one_sided
// CHECK-NOT: clip.contrastive_loss
// CHECK: clip.log_softmax
func.func @one_sided(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %im : tensor<f32>
  %neg_half = clip.constant dense<-5.0e-01> : tensor<f32>
  %loss = clip.mul %total, %neg_half : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Labels that are not 0..N-1 (a gather by given indices).
// CHECK-LABEL: func.func @given_labels
// CHECK-NOT: clip.contrastive_loss
func.func @given_labels(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>, %labels: tensor<4xi64>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %tlp = clip.log_softmax %logits axis 0 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %neg_half = clip.constant dense<-5.0e-01> : tensor<f32>
  %loss = clip.mul %total, %neg_half : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Logits scaled by the parameter itself, not exp of it; and the sum of the
// two terms instead of their mean.
// CHECK-LABEL: func.func @no_exp_and_sum
// CHECK-NOT: clip.contrastive_loss
func.func @no_exp_and_sum(%in: tensor<4x8xf32>, %tn: tensor<4x8xf32>, %scale: tensor<f32>) -> tensor<f32> {
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %tlp = clip.log_softmax %logits axis 0 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %loss = clip.neg %total : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// A per-row term that is also returned (its intermediate has another user).
// CHECK-LABEL: func.func @term_returned
// CHECK-NOT: clip.contrastive_loss
func.func @term_returned(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>) -> (tensor<f32>, tensor<4xf32>) {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %tlp = clip.log_softmax %logits axis 0 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %neg_half = clip.constant dense<-5.0e-01> : tensor<f32>
  %loss = clip.mul %total, %neg_half : tensor<f32>
  return %loss, %ic : tensor<f32>, tensor<4xf32>
}

// -----

// SigLIP's loss as OpenCLIP's SigLipLoss writes it: labels 2 I - 1 from two
// iotas, -sum(log(sigmoid(labels * (logits + bias)))) / N.
// CHECK-LABEL: func.func @siglip_form
// CHECK-SAME: (%[[I:.*]]: tensor<4x8xf32>, %[[T:.*]]: tensor<4x8xf32>, %[[S:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>)
// CHECK-NOT: clip.sigmoid %
// CHECK: %[[LOSS:.*]], %{{.*}}, %{{.*}} = clip.sigmoid_loss %[[I]], %[[T]], %[[S]], %[[B]] epsilon 9.999999960041972E-13
// CHECK-NEXT: return %[[LOSS]]
func.func @siglip_form(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>, %logit_bias: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %scaled = clip.mul %scale, %sim : (tensor<f32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %logits = clip.add %scaled, %logit_bias : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %rows = clip.iota dim 0 : tensor<4x4xi64>
  %cols = clip.iota dim 1 : tensor<4x4xi64>
  %eye = clip.cmp eq, %rows, %cols : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
  %one = clip.constant dense<1.0> : tensor<f32>
  %minus_one = clip.constant dense<-1.0> : tensor<f32>
  %labels = clip.select %eye, %one, %minus_one : (tensor<4x4xi1>, tensor<f32>, tensor<f32>) -> tensor<4x4xf32>
  %z = clip.mul %labels, %logits : tensor<4x4xf32>
  %p = clip.sigmoid %z : tensor<4x4xf32>
  %lp = clip.log %p : tensor<4x4xf32>
  %sum = clip.reduce_sum %lp axes [0, 1] : tensor<4x4xf32> -> tensor<f32>
  %neg = clip.neg %sum : tensor<f32>
  %n = clip.constant dense<4.0> : tensor<f32>
  %loss = clip.div %neg, %n : tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Labels as a constant, and a mean where SigLIP sums (divided by N^2, not
// N): the first is SigLIP's, the second a different loss, left alone.
// CHECK-LABEL: func.func @siglip_constant_labels
// CHECK: clip.sigmoid_loss
// CHECK-LABEL: func.func @not_siglip
// CHECK-NOT: clip.sigmoid_loss
// CHECK: clip.reduce_sum
func.func @siglip_constant_labels(%a: tensor<2x3xf32>, %s: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %sq = clip.mul %a, %a : tensor<2x3xf32>
  %ss = clip.reduce_sum %sq axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
  %norm = clip.sqrt %ss : tensor<2x1xf32>
  %clamp = clip.max %norm, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %an = clip.div %a, %clamp : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %scale = clip.exp %s : tensor<f32>
  %sim = clip.matmul %an, %an transpose_rhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %scaled = clip.mul %sim, %scale : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %logits = clip.add %b, %scaled : (tensor<f32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %labels = clip.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
  %z = clip.mul %logits, %labels : tensor<2x2xf32>
  %p = clip.sigmoid %z : tensor<2x2xf32>
  %lp = clip.log %p : tensor<2x2xf32>
  %sum = clip.reduce_sum %lp axes [1, 0] : tensor<2x2xf32> -> tensor<f32>
  %factor = clip.constant dense<-0.5> : tensor<f32>
  %loss = clip.mul %sum, %factor : tensor<f32>
  return %loss : tensor<f32>
}
func.func @not_siglip(%a: tensor<2x3xf32>, %s: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %sq = clip.mul %a, %a : tensor<2x3xf32>
  %ss = clip.reduce_sum %sq axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
  %norm = clip.sqrt %ss : tensor<2x1xf32>
  %clamp = clip.max %norm, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %an = clip.div %a, %clamp : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %scale = clip.exp %s : tensor<f32>
  %sim = clip.matmul %an, %an transpose_rhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %scaled = clip.mul %sim, %scale : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %logits = clip.add %b, %scaled : (tensor<f32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %labels = clip.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
  %z = clip.mul %logits, %labels : tensor<2x2xf32>
  %p = clip.sigmoid %z : tensor<2x2xf32>
  %lp = clip.log %p : tensor<2x2xf32>
  %sum = clip.reduce_sum %lp axes [1, 0] : tensor<2x2xf32> -> tensor<f32>
  %factor = clip.constant dense<-0.25> : tensor<f32>
  %loss = clip.mul %sum, %factor : tensor<f32>
  return %loss : tensor<f32>
}
