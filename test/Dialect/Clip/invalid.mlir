// RUN: clip-opt %s -split-input-file -verify-diagnostics

// One error per split: every message a verifier or shape rule of the clip
// dialect emits, plus the ODS constraints (element types, attribute ranges)
// and the declared-vs-inferred result type check.

func.func @param_empty_name() {
  // expected-error @+1 {{'clip.param' op parameter name must not be empty}}
  %0 = clip.param "" : tensor<4xf32>
  return
}

// -----

func.func @param_dynamic() {
  // expected-error @+1 {{'clip.param' op parameter 'visual.proj' must have a static shape, got 'tensor<?x512xf32>'}}
  %0 = clip.param "visual.proj" : tensor<?x512xf32>
  return
}

// -----

func.func @param_integer() {
  // expected-error @+1 {{'clip.param' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<i64>'}}
  %0 = clip.param "step" : tensor<i64>
  return
}

// -----

func.func @input_empty_name() {
  // expected-error @+1 {{'clip.input' op input name must not be empty}}
  %0 = clip.input "" : tensor<?x77xi64>
  return
}

// -----

func.func @iota_dim() {
  // expected-error @+1 {{'clip.iota' op dim 2 is out of range for result of rank 2}}
  %0 = clip.iota dim 2 : tensor<4x5xi64>
  return
}

// -----

func.func @iota_scalar() {
  // expected-error @+1 {{'clip.iota' op dim 0 is out of range for result of rank 0}}
  %0 = clip.iota dim 0 : tensor<i64>
  return
}

// -----

func.func @iota_negative_dim() {
  // expected-error @+1 {{'clip.iota' op attribute 'dim' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = clip.iota dim -1 : tensor<4xi64>
  return
}

// -----

func.func @iota_bool() {
  // expected-error @+1 {{'clip.iota' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = clip.iota dim 0 : tensor<4xi1>
  return
}

// -----

func.func @causal_mask_rank1() {
  // expected-error @+1 {{'clip.causal_mask' op result must have rank >= 2 (query, key), got rank 1}}
  %0 = clip.causal_mask : tensor<77xf32>
  return
}

// -----

func.func @causal_mask_non_square() {
  // expected-error @+1 {{'clip.causal_mask' op last two dims (query, key) must be static and equal, got 77x76}}
  %0 = clip.causal_mask : tensor<77x76xf32>
  return
}

// -----

// The message prints a `?` dim as its sentinel value; only the stable prefix
// is checked here.
func.func @causal_mask_dynamic() {
  // expected-error @+1 {{'clip.causal_mask' op last two dims (query, key) must be static and equal, got ?x?}}
  %0 = clip.causal_mask : tensor<?x?xi1>
  return
}

// -----

func.func @causal_mask_dynamic_key() {
  // expected-error @+1 {{'clip.causal_mask' op last two dims (query, key) must be static and equal, got 77x?}}
  %0 = clip.causal_mask : tensor<2x77x?xf32>
  return
}

// -----

func.func @causal_mask_integer() {
  // expected-error @+1 {{'clip.causal_mask' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer values, but got 'tensor<4x4xi64>'}}
  %0 = clip.causal_mask : tensor<4x4xi64>
  return
}

// -----

// A static shape mismatch is caught by the Elementwise trait before the
// op's own verifier; a static result for a dynamic input reaches it.
func.func @cast_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'clip.cast' op result shape [8x4] differs from input shape [4x8]}}
  %0 = clip.cast %x : tensor<4x8xf32> to tensor<8x4xbf16>
  return
}

// -----

func.func @cast_dynamic_shape(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'clip.cast' op result shape [2x8] differs from input shape [?x8]}}
  %0 = clip.cast %x : tensor<?x8xf32> to tensor<2x8xf32>
  return
}

// -----

func.func @exp_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'clip.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = clip.exp %x : tensor<4xi32>
  return
}

// -----

func.func @neg_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{'clip.neg' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = clip.neg %x : tensor<4xi1>
  return
}

// -----

func.func @rsqrt_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'clip.rsqrt' op requires the same type for all operands and results}}
  %0 = "clip.rsqrt"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @gelu_integer(%x: tensor<4xi64>) {
  // expected-error @+1 {{'clip.gelu' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = clip.gelu %x approximate tanh : tensor<4xi64>
  return
}

// -----

func.func @gelu_bad_approximation(%x: tensor<4xf32>) {
  // expected-error @+1 {{custom op 'clip.gelu' expected string or keyword containing one of the following enum values for attribute 'approximation' [none, tanh, quick]}}
  %0 = clip.gelu %x approximate exact : tensor<4xf32>
  return
}

// -----

// Unranked tensors never reach the shape rules: the custom format (here) or
// the ODS type constraints (add_unranked below) reject them first.
func.func @cast_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{custom op 'clip.cast' invalid kind of type specified}}
  %0 = clip.cast %x : tensor<*xf32> to tensor<4xf32>
  return
}

// -----

// clip.constant infers its result type from `value` while parsing.
func.func @constant_vector() {
  // expected-error @+1 {{'clip.constant' op value must be a ranked tensor, got 'vector<4xf32>'}}
  %0 = clip.constant dense<1.0> : vector<4xf32>
  return
}

// -----

// Only the generic form can declare a type that differs from `value`'s.
func.func @constant_result_type() {
  // expected-error @+1 {{'clip.constant' op result #0 is declared 'tensor<2x2xf32>' but the operands give 'tensor<4xf32>'}}
  %0 = "clip.constant"() <{value = dense<1.0> : tensor<4xf32>}> : () -> tensor<2x2xf32>
  return
}

// -----

func.func @constant_f8() {
  // expected-error @+1 {{'clip.constant' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<4xf8E4M3FN>'}}
  %0 = clip.constant dense<1.0> : tensor<4xf8E4M3FN>
  return
}

// -----

func.func @constant_i8() {
  // expected-error @+1 {{'clip.constant' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = clip.constant dense<1> : tensor<4xi8>
  return
}

// -----

func.func @add_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'clip.add' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<*xf32>'}}
  %0 = clip.add %x, %x : tensor<*xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'clip.add' op cannot broadcast lhs [2x4] with rhs [5]: dim 1 of lhs is 4 but dim 0 of rhs is 5}}
  %0 = clip.add %a, %b : (tensor<2x4xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @sub_broadcast_leading(%a: tensor<3x1x4xi64>, %b: tensor<2x5x4xi64>) {
  // expected-error @+1 {{'clip.sub' op cannot broadcast lhs [3x1x4] with rhs [2x5x4]: dim 0 of lhs is 3 but dim 0 of rhs is 2}}
  %0 = clip.sub %a, %b : (tensor<3x1x4xi64>, tensor<2x5x4xi64>) -> tensor<3x5x4xi64>
  return
}

// -----

func.func @mul_broadcast_scalar_side(%a: tensor<7xbf16>, %b: tensor<3x8xbf16>) {
  // expected-error @+1 {{'clip.mul' op cannot broadcast lhs [7] with rhs [3x8]: dim 0 of lhs is 7 but dim 1 of rhs is 8}}
  %0 = clip.mul %a, %b : (tensor<7xbf16>, tensor<3x8xbf16>) -> tensor<3x8xbf16>
  return
}

// -----

func.func @div_element_type(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'clip.div' op lhs element type 'f32' does not match rhs element type 'f16'}}
  %0 = clip.div %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @max_element_type(%a: tensor<4xi32>, %b: tensor<i64>) {
  // expected-error @+1 {{'clip.max' op lhs element type 'i32' does not match rhs element type 'i64'}}
  %0 = clip.max %a, %b : (tensor<4xi32>, tensor<i64>) -> tensor<4xi32>
  return
}

// -----

func.func @min_broadcast_dynamic(%a: tensor<?x3xf64>, %b: tensor<?x2xf64>) {
  // expected-error @+1 {{'clip.min' op cannot broadcast lhs [?x3] with rhs [?x2]: dim 1 of lhs is 3 but dim 1 of rhs is 2}}
  %0 = clip.min %a, %b : (tensor<?x3xf64>, tensor<?x2xf64>) -> tensor<?x3xf64>
  return
}

// -----

func.func @add_result_type(%a: tensor<2x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'clip.add' op result #0 is declared 'tensor<4xf32>' but the operands give 'tensor<2x4xf32>'}}
  %0 = clip.add %a, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @add_result_element_type(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{'clip.add' op result #0 is declared 'tensor<2x4xf16>' but the operands give 'tensor<2x4xf32>'}}
  %0 = clip.add %a, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @add_bool(%a: tensor<2xi1>) {
  // expected-error @+1 {{'clip.add' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = clip.add %a, %a : tensor<2xi1>
  return
}

// -----

func.func @cmp_broadcast(%a: tensor<3xi64>, %b: tensor<4xi64>) {
  // expected-error @+1 {{'clip.cmp' op cannot broadcast lhs [3] with rhs [4]: dim 0 of lhs is 3 but dim 0 of rhs is 4}}
  %0 = clip.cmp eq, %a, %b : (tensor<3xi64>, tensor<4xi64>) -> tensor<3xi1>
  return
}

// -----

func.func @cmp_element_type(%a: tensor<3xi64>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'clip.cmp' op lhs element type 'i64' does not match rhs element type 'i32'}}
  %0 = clip.cmp lt, %a, %b : (tensor<3xi64>, tensor<3xi32>) -> tensor<3xi1>
  return
}

// -----

func.func @cmp_result_type(%a: tensor<3xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{'clip.cmp' op result #0 is declared 'tensor<1xi1>' but the operands give 'tensor<3xi1>'}}
  %0 = clip.cmp ge, %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<1xi1>
  return
}

// -----

func.func @cmp_result_not_bool(%a: tensor<3xf32>) {
  // expected-error @+1 {{'clip.cmp' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = clip.cmp ne, %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @cmp_bool_operands(%a: tensor<3xi1>) {
  // expected-error @+1 {{'clip.cmp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xi1>'}}
  %0 = clip.cmp eq, %a, %a : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @cmp_bad_predicate(%a: tensor<3xf32>) {
  // expected-error @+1 {{custom op 'clip.cmp' expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = clip.cmp approx, %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}

// -----

func.func @select_element_type(%c: tensor<4xi1>, %t: tensor<4xf32>, %f: tensor<f16>) {
  // expected-error @+1 {{'clip.select' op on_true element type 'f32' does not match on_false element type 'f16'}}
  %0 = clip.select %c, %t, %f : (tensor<4xi1>, tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return
}

// -----

func.func @select_condition_on_true(%c: tensor<77x77xi1>, %t: tensor<2x8x77x76xf32>, %f: tensor<f32>) {
  // expected-error @+1 {{'clip.select' op cannot broadcast condition [77x77] with on_true [2x8x77x76]: dim 1 of condition is 77 but dim 3 of on_true is 76}}
  %0 = clip.select %c, %t, %f : (tensor<77x77xi1>, tensor<2x8x77x76xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
  return
}

// -----

func.func @select_on_false(%c: tensor<4x1xi1>, %t: tensor<1x5xf32>, %f: tensor<3xf32>) {
  // expected-error @+1 {{'clip.select' op cannot broadcast condition and on_true [4x5] with on_false [3]: dim 1 of condition and on_true is 5 but dim 0 of on_false is 3}}
  %0 = clip.select %c, %t, %f : (tensor<4x1xi1>, tensor<1x5xf32>, tensor<3xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @select_condition_not_bool(%c: tensor<4xi32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'clip.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = clip.select %c, %t, %t : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_result_type(%c: tensor<4xi1>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'clip.select' op result #0 is declared 'tensor<?xf32>' but the operands give 'tensor<4xf32>'}}
  %0 = clip.select %c, %t, %t : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @matmul_rank_lhs(%a: tensor<3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'clip.matmul' op operands must have rank >= 2, got lhs [3] and rhs [3x4]}}
  %0 = clip.matmul %a, %b : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_rank_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{'clip.matmul' op operands must have rank >= 2, got lhs [2x3] and rhs []}}
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_element_type(%a: tensor<2x3xf32>, %b: tensor<3x4xbf16>) {
  // expected-error @+1 {{'clip.matmul' op lhs element type 'f32' does not match rhs element type 'bf16'}}
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xbf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'clip.matmul' op contraction size of lhs [2x3] (dim 1: 3) does not match rhs [4x5] (dim 0: 4)}}
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_contraction_transpose_lhs(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'clip.matmul' op contraction size of lhs [2x3] (dim 0: 2) does not match rhs [3x4] (dim 0: 3)}}
  %0 = clip.matmul %a, %b transpose_lhs : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @matmul_contraction_transpose_rhs(%q: tensor<2x8x77x64xf32>, %k: tensor<2x8x64x77xf32>) {
  // expected-error @+1 {{'clip.matmul' op contraction size of lhs [2x8x77x64] (dim 3: 64) does not match rhs [2x8x64x77] (dim 3: 77)}}
  %0 = clip.matmul %q, %k transpose_rhs : (tensor<2x8x77x64xf32>, tensor<2x8x64x77xf32>) -> tensor<2x8x77x64xf32>
  return
}

// -----

func.func @matmul_contraction_transpose_both(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'clip.matmul' op contraction size of lhs [3x2] (dim 0: 3) does not match rhs [3x4] (dim 1: 4)}}
  %0 = clip.matmul %a, %b transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x8x4x5xf32>, %b: tensor<3x5x6xf32>) {
  // expected-error @+1 {{'clip.matmul' op batch dims of lhs [2x8x4x5] and rhs [3x5x6] do not broadcast: dim 1 of lhs is 8 but dim 0 of rhs is 3}}
  %0 = clip.matmul %a, %b : (tensor<2x8x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x8x4x6xf32>
  return
}

// -----

func.func @matmul_result_type(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'clip.matmul' op result #0 is declared 'tensor<4x2xf32>' but the operands give 'tensor<2x4xf32>'}}
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_bool(%a: tensor<2x2xi1>) {
  // expected-error @+1 {{'clip.matmul' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x2xi1>'}}
  %0 = clip.matmul %a, %a : (tensor<2x2xi1>, tensor<2x2xi1>) -> tensor<2x2xi1>
  return
}

// -----

func.func @reduce_sum_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.reduce_sum' op axis 2 is out of range for input of rank 2}}
  %0 = clip.reduce_sum %x axes [2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_mean_negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.reduce_mean' op axis -1 is out of range for input of rank 2}}
  %0 = clip.reduce_mean %x axes [-1] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_max_repeated_axis(%x: tensor<2x3x4xi32>) {
  // expected-error @+1 {{'clip.reduce_max' op axis 0 appears more than once in axes}}
  %0 = clip.reduce_max %x axes [0, 2, 0] : tensor<2x3x4xi32> -> tensor<3xi32>
  return
}

// -----

func.func @reduce_result_type(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reduce_sum' op result #0 is declared 'tensor<2x1x4xf32>' but the operands give 'tensor<2x4xf32>'}}
  %0 = clip.reduce_sum %x axes [1] : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<2x77xi64>) {
  // expected-error @+1 {{'clip.argmax' op axis 2 is out of range for input of rank 2}}
  %0 = clip.argmax %x axis 2 : tensor<2x77xi64> -> tensor<2xi64>
  return
}

// -----

func.func @argmax_result_element(%x: tensor<2x77xi64>) {
  // expected-error @+1 {{'clip.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = clip.argmax %x axis 1 : tensor<2x77xi64> -> tensor<2xi32>
  return
}

// -----

func.func @argmax_result_type(%x: tensor<2x77xf32>) {
  // expected-error @+1 {{'clip.argmax' op result #0 is declared 'tensor<2xi64>' but the operands give 'tensor<2x1xi64>'}}
  %0 = clip.argmax %x axis 1 keepdims : tensor<2x77xf32> -> tensor<2xi64>
  return
}

// -----

func.func @argmax_negative_axis(%x: tensor<2x77xf32>) {
  // expected-error @+1 {{'clip.argmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = clip.argmax %x axis -1 : tensor<2x77xf32> -> tensor<2xi64>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x8x77x77xf32>) {
  // expected-error @+1 {{'clip.softmax' op axis 4 is out of range for input of rank 4}}
  %0 = clip.softmax %x axis 4 : tensor<2x8x77x77xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<10xbf16>) {
  // expected-error @+1 {{'clip.log_softmax' op axis 1 is out of range for input of rank 1}}
  %0 = clip.log_softmax %x axis 1 : tensor<10xbf16>
  return
}

// -----

func.func @softmax_integer(%x: tensor<10xi32>) {
  // expected-error @+1 {{'clip.softmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<10xi32>'}}
  %0 = clip.softmax %x axis 0 : tensor<10xi32>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reshape' op shape may contain -1 only once, got [-1, 2, -1]}}
  %0 = clip.reshape %x [-1, 2, -1] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @reshape_zero_entry(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reshape' op shape entry 1 must be positive or -1, got 0}}
  %0 = clip.reshape %x [6, 0] : tensor<2x3x4xf32> -> tensor<6x0xf32>
  return
}

// -----

func.func @reshape_negative_entry(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reshape' op shape entry 0 must be positive or -1, got -2}}
  %0 = clip.reshape %x [-2, 12] : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reshape' op cannot reshape [2x3x4] (24 elements) into [5, 5] (25 elements)}}
  %0 = clip.reshape %x [5, 5] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_not_divisible(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.reshape' op cannot reshape [2x3x4] (24 elements) into a multiple of 5}}
  %0 = clip.reshape %x [-1, 5] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_dynamic_without_inferred(%x: tensor<?x77x512xf32>) {
  // expected-error @+1 {{'clip.reshape' op shape [2, 77, 8, 64] needs a -1 where input [?x77x512] has a dynamic dim}}
  %0 = clip.reshape %x [2, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<2x77x8x64xf32>
  return
}

// -----

func.func @reshape_result_type(%x: tensor<?x77x512xf32>) {
  // expected-error @+1 {{'clip.reshape' op result #0 is declared 'tensor<2x77x8x64xf32>' but the operands give 'tensor<?x77x8x64xf32>'}}
  %0 = clip.reshape %x [-1, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<2x77x8x64xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<6xf32>) {
  // expected-error @+1 {{'clip.reshape' op result #0 is declared 'tensor<2x3xf16>' but the operands give 'tensor<2x3xf32>'}}
  %0 = clip.reshape %x [2, 3] : tensor<6xf32> -> tensor<2x3xf16>
  return
}

// -----

func.func @transpose_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.transpose' op permutation has 2 entries but input [2x3x4] has rank 3}}
  %0 = clip.transpose %x [1, 0] : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_repeated(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.transpose' op [0, 1, 1] is not a permutation of 0..2}}
  %0 = clip.transpose %x [0, 1, 1] : tensor<2x3x4xf32> -> tensor<2x3x3xf32>
  return
}

// -----

func.func @transpose_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'clip.transpose' op [0, 3, 1] is not a permutation of 0..2}}
  %0 = clip.transpose %x [0, 3, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return
}

// -----

func.func @transpose_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.transpose' op [-1, 0] is not a permutation of 0..1}}
  %0 = clip.transpose %x [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_result_type(%x: tensor<2x77x8x64xf32>) {
  // expected-error @+1 {{'clip.transpose' op result #0 is declared 'tensor<2x77x8x64xf32>' but the operands give 'tensor<2x8x77x64xf32>'}}
  %0 = clip.transpose %x [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x77x8x64xf32>
  return
}

// -----

func.func @broadcast_element_type(%x: tensor<1x768xf32>) {
  // expected-error @+1 {{'clip.broadcast' op result element type 'bf16' differs from input element type 'f32'}}
  %0 = clip.broadcast %x : tensor<1x768xf32> -> tensor<2x1x768xbf16>
  return
}

// -----

func.func @broadcast_rank(%x: tensor<2x1x768xf32>) {
  // expected-error @+1 {{'clip.broadcast' op input rank 3 exceeds result rank 2}}
  %0 = clip.broadcast %x : tensor<2x1x768xf32> -> tensor<1x768xf32>
  return
}

// -----

func.func @broadcast_dim(%x: tensor<3x768xf32>) {
  // expected-error @+1 {{'clip.broadcast' op input dim 0 (size 3) cannot broadcast to result dim 1 (size 4)}}
  %0 = clip.broadcast %x : tensor<3x768xf32> -> tensor<2x4x768xf32>
  return
}

// -----

func.func @broadcast_dynamic_input(%x: tensor<?x768xf32>) {
  // expected-error @+1 {{'clip.broadcast' op input dim 0 (size ?) cannot broadcast to result dim 0 (size 2)}}
  %0 = clip.broadcast %x : tensor<?x768xf32> -> tensor<2x768xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.concat' op axis 2 is out of range for input #0 of rank 2}}
  %0 = clip.concat %a, %a axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+1 {{'clip.concat' op input #1 has rank 3 but input #0 has rank 2}}
  %0 = clip.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @concat_dim(%a: tensor<2x1x768xf32>, %b: tensor<2x196x768xf32>, %c: tensor<2x4x512xf32>) {
  // expected-error @+1 {{'clip.concat' op input #2 [2x4x512] differs from input #0 [2x1x768] in dim 2, which is not the concat axis 1}}
  %0 = clip.concat %a, %b, %c axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>, tensor<2x4x512xf32>) -> tensor<2x201x768xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xbf16>) {
  // expected-error @+1 {{'clip.concat' op input #1 element type 'bf16' does not match input #0 element type 'f32'}}
  %0 = clip.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x3xbf16>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_result_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.concat' op result #0 is declared 'tensor<2x6xf32>' but the operands give 'tensor<4x3xf32>'}}
  %0 = clip.concat %a, %a axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// Zero inputs parse (the operand list is variadic) and reach the shape rule.
func.func @concat_empty() {
  // expected-error @+1 {{'clip.concat' op needs at least one input}}
  %0 = clip.concat axis 0 : () -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_empty_generic() {
  // expected-error @+1 {{'clip.concat' op needs at least one input}}
  %0 = "clip.concat"() <{axis = 0 : i64}> : () -> tensor<2x3xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<2x197x768xf32>) {
  // expected-error @+1 {{'clip.slice' op axis 3 is out of range for input of rank 3}}
  %0 = clip.slice %x axis 3 from 0 to 1 : tensor<2x197x768xf32> -> tensor<2x197x768xf32>
  return
}

// -----

func.func @slice_start_after_end(%x: tensor<2x197x768xf32>) {
  // expected-error @+1 {{'clip.slice' op start 5 is after end 4}}
  %0 = clip.slice %x axis 1 from 5 to 4 : tensor<2x197x768xf32> -> tensor<2x0x768xf32>
  return
}

// -----

func.func @slice_end(%x: tensor<2x197x768xf32>) {
  // expected-error @+1 {{'clip.slice' op end 198 exceeds size 197 of dim 1 of input [2x197x768]}}
  %0 = clip.slice %x axis 1 from 1 to 198 : tensor<2x197x768xf32> -> tensor<2x197x768xf32>
  return
}

// -----

// step 0 is rejected by ODS (IntPositive) before the shape rule's own
// `step must be >= 1` check.
func.func @slice_step_zero(%x: tensor<8xf32>) {
  // expected-error @+1 {{'clip.slice' op attribute 'step' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = clip.slice %x axis 0 from 0 to 8 step 0 : tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @slice_negative_start(%x: tensor<8xf32>) {
  // expected-error @+1 {{'clip.slice' op attribute 'start' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = clip.slice %x axis 0 from -1 to 8 : tensor<8xf32> -> tensor<9xf32>
  return
}

// -----

func.func @slice_result_type(%x: tensor<8xf32>) {
  // expected-error @+1 {{'clip.slice' op result #0 is declared 'tensor<2xf32>' but the operands give 'tensor<3xf32>'}}
  %0 = clip.slice %x axis 0 from 0 to 8 step 3 : tensor<8xf32> -> tensor<2xf32>
  return
}

// -----

func.func @gather_axis(%t: tensor<49408x512xf32>, %i: tensor<2x77xi64>) {
  // expected-error @+1 {{'clip.gather' op axis 2 is out of range for input of rank 2}}
  %0 = clip.gather %t[%i] axis 2 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
  return
}

// -----

func.func @gather_batch_dims_axis(%x: tensor<2x77x512xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'clip.gather' op batch_dims 2 must not exceed axis 1}}
  %0 = clip.gather %x[%i] axis 1 batch_dims 2 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
  return
}

// -----

func.func @gather_batch_dims_indices(%x: tensor<2x77x512xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'clip.gather' op batch_dims 2 exceeds the rank of indices [2]}}
  %0 = clip.gather %x[%i] axis 2 batch_dims 2 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x77xf32>
  return
}

// -----

func.func @gather_batch_dim(%x: tensor<2x77x512xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'clip.gather' op batch dim 0 of input [2x77x512] is 2 but of indices [3] is 3}}
  %0 = clip.gather %x[%i] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<3xi64>) -> tensor<2x512xf32>
  return
}

// -----

func.func @gather_float_indices(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'clip.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = clip.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_result_type(%t: tensor<10x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+1 {{'clip.gather' op result #0 is declared 'tensor<3x4xi32>' but the operands give 'tensor<3x4xf32>'}}
  %0 = clip.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xi32>
  return
}

// -----

func.func @conv2d_input_rank(%x: tensor<3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op input must be [N, C, H, W], got [3x224x224]}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<768x14x14xf32>
  return
}

// -----

func.func @conv2d_weight_rank(%x: tensor<2x3x224x224xf32>, %w: tensor<768x768xf32>) {
  // expected-error @+1 {{'clip.conv2d' op weight must be [O, C/groups, kH, kW], got [768x768]}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x768xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_element_type(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf16>) {
  // expected-error @+1 {{'clip.conv2d' op input element type 'f32' does not match weight element type 'f16'}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf16>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_channels(%x: tensor<2x4x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op input has 4 channels but weight [768x3x16x16] with groups 1 expects 3}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x4x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_channels_groups(%x: tensor<2x64x56x56xf32>, %w: tensor<64x16x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op input has 64 channels but weight [64x16x3x3] with groups 2 expects 32}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] groups 2 : (tensor<2x64x56x56xf32>, tensor<64x16x3x3xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @conv2d_out_channels_groups(%x: tensor<2x64x56x56xf32>, %w: tensor<30x16x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op weight has 30 output channels, not divisible by groups 4}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] groups 4 : (tensor<2x64x56x56xf32>, tensor<30x16x3x3xf32>) -> tensor<2x30x56x56xf32>
  return
}

// -----

func.func @conv2d_groups_zero(%x: tensor<2x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] groups 0 : (tensor<2x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @conv2d_bias_size(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>, %b: tensor<512xf32>) {
  // expected-error @+1 {{'clip.conv2d' op bias must be [768], got [512]}}
  %0 = clip.conv2d %x, %w bias %b stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<512xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_bias_rank(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>, %b: tensor<1x768xf32>) {
  // expected-error @+1 {{'clip.conv2d' op bias must be [768], got [1x768]}}
  %0 = clip.conv2d %x, %w bias %b stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<1x768xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_bias_element_type(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>, %b: tensor<768xbf16>) {
  // expected-error @+1 {{'clip.conv2d' op bias element type 'bf16' does not match input element type 'f32'}}
  %0 = clip.conv2d %x, %w bias %b stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xbf16>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_stride_length(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op stride must have 2 entries [h, w], got 1}}
  %0 = clip.conv2d %x, %w stride [16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_stride_value(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op stride entries must be >= 1, got [16, 0]}}
  %0 = clip.conv2d %x, %w stride [16, 0] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_padding_length(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op padding must have 2 entries [h, w], got 4}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0, 0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_padding_value(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op padding entries must be >= 0, got [-1, 0]}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [-1, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

func.func @conv2d_dilation_length(%x: tensor<2x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op dilation must have 2 entries [h, w], got 1}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] dilation [2] : (tensor<2x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @conv2d_dilation_value(%x: tensor<2x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op dilation entries must be >= 1, got [0, 1]}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] dilation [0, 1] : (tensor<2x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @conv2d_window_height(%x: tensor<2x3x8x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op window of 16 does not fit input height 8 with padding 0}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x8x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x1x14xf32>
  return
}

// -----

func.func @conv2d_window_width_dilation(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+1 {{'clip.conv2d' op window of 3 (dilation 4) does not fit input width 8 with padding 0}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [0, 0] dilation [1, 4] : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x6x1xf32>
  return
}

// -----

func.func @conv2d_result_type(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op result #0 is declared 'tensor<2x768x16x16xf32>' but the operands give 'tensor<2x768x14x14xf32>'}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x16x16xf32>
  return
}

// -----

func.func @conv2d_integer(%x: tensor<1x1x4x4xi32>, %w: tensor<1x1x1x1xi32>) {
  // expected-error @+1 {{'clip.conv2d' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x1x4x4xi32>'}}
  %0 = clip.conv2d %x, %w stride [1, 1] padding [0, 0] : (tensor<1x1x4x4xi32>, tensor<1x1x1x1xi32>) -> tensor<1x1x4x4xi32>
  return
}

// -----

func.func @avg_pool2d_rank(%x: tensor<64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op input must be [N, C, H, W], got [64x56x56]}}
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<64x56x56xf32> -> tensor<64x28x28xf32>
  return
}

// -----

func.func @avg_pool2d_kernel_length(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op kernel must have 2 entries [h, w], got 1}}
  %0 = clip.avg_pool2d %x kernel [2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}

// -----

func.func @avg_pool2d_kernel_value(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op kernel entries must be >= 1, got [0, 2]}}
  %0 = clip.avg_pool2d %x kernel [0, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}

// -----

func.func @avg_pool2d_stride(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op stride must have 2 entries [h, w], got 3}}
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2, 1] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}

// -----

func.func @avg_pool2d_padding_length(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op padding must have 2 entries [h, w], got 0}}
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}

// -----

func.func @avg_pool2d_padding_half_kernel(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op padding 2 must be at most half the kernel 3}}
  %0 = clip.avg_pool2d %x kernel [3, 3] stride [1, 1] padding [1, 2] : tensor<2x64x56x56xf32> -> tensor<2x64x56x58xf32>
  return
}

// -----

func.func @avg_pool2d_window(%x: tensor<2x64x7x3xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op window of 4 does not fit input width 3 with padding 0}}
  %0 = clip.avg_pool2d %x kernel [2, 4] stride [2, 2] padding [0, 0] : tensor<2x64x7x3xf32> -> tensor<2x64x3x0xf32>
  return
}

// -----

func.func @avg_pool2d_result_type(%x: tensor<2x64x56x56xf32>) {
  // expected-error @+1 {{'clip.avg_pool2d' op result #0 is declared 'tensor<2x64x56x56xf32>' but the operands give 'tensor<2x64x28x28xf32>'}}
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%x: tensor<64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op input must be [N, C, ...], got [64]}}
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @batch_norm_scale_shape(%x: tensor<2x64x56x56xf32>, %g: tensor<32xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op scale must be [64] (the channels of input [2x64x56x56]), got [32]}}
  %0 = clip.batch_norm %x, %g, %b, %b, %b epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @batch_norm_running_var_shape(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %v: tensor<1x64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op running_var must be [64] (the channels of input [2x64x56x56]), got [1x64]}}
  %0 = clip.batch_norm %x, %g, %g, %g, %v epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<1x64xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @batch_norm_element_type(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf16>) {
  // expected-error @+1 {{'clip.batch_norm' op bias element type 'f16' does not match input element type 'f32'}}
  %0 = clip.batch_norm %x, %g, %b, %g, %g epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf16>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  return
}

// -----

func.func @batch_norm_epsilon_zero(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op attribute 'epsilon' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 0.0 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @batch_norm_epsilon_negative(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op attribute 'epsilon' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon -1.0e-05 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @batch_norm_result_type(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op result #0 is declared 'tensor<64xf32>' but the operands give 'tensor<2x64xf32>'}}
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @batch_norm_train_momentum_above_one(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op attribute 'momentum' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 1.0e-05 momentum 1.5 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @batch_norm_train_momentum_negative(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op attribute 'momentum' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 1.0e-05 momentum -0.1 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @batch_norm_train_epsilon(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op attribute 'epsilon' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 0.0 momentum 0.1 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @batch_norm_train_running_mean_shape(%x: tensor<2x64x7x7xf32>, %g: tensor<64xf32>, %m: tensor<7xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op running_mean must be [64] (the channels of input [2x64x7x7]), got [7]}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %m, %g epsilon 1.0e-05 momentum 0.1 : (tensor<2x64x7x7xf32>, tensor<64xf32>, tensor<64xf32>, tensor<7xf32>, tensor<64xf32>) -> (tensor<2x64x7x7xf32>, tensor<7xf32>, tensor<64xf32>)
  return
}

// -----

func.func @batch_norm_train_element_type(%x: tensor<2x64xbf16>, %g: tensor<64xbf16>, %v: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op running_var element type 'f32' does not match input element type 'bf16'}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %v epsilon 1.0e-05 momentum 0.1 : (tensor<2x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<64xf32>) -> (tensor<2x64xbf16>, tensor<64xbf16>, tensor<64xf32>)
  return
}

// -----

func.func @batch_norm_train_result_type(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm_train' op result #2 is declared 'tensor<32xf32>' but the operands give 'tensor<64xf32>'}}
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 1.0e-05 momentum 0.1 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<32xf32>)
  return
}

// -----

// Weights are parameters: their shape is static.
func.func @conv2d_dynamic_weight(%x: tensor<2x3x224x224xf32>, %w: tensor<768x?x16x16xf32>) {
  // expected-error @+1 {{'clip.conv2d' op weight must have a static shape, got [768x?x16x16]}}
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x?x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}

// -----

// `?` is the batch, never the channels.
func.func @batch_norm_dynamic_channels(%x: tensor<2x?xf32>, %c: tensor<64xf32>) {
  // expected-error @+1 {{'clip.batch_norm' op input channel dim 1 must be static, got [2x?]}}
  %0 = clip.batch_norm %x, %c, %c, %c, %c epsilon 1.0e-05 : (tensor<2x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x?xf32>
  return
}

// -----

// As in broadcasting, a `?` next to a size in a non-concat dim takes the size.
func.func @concat_batch_takes_size(%a: tensor<?x1x8xf32>, %b: tensor<2x3x8xf32>) {
  // expected-error @+1 {{'clip.concat' op result #0 is declared 'tensor<?x4x8xf32>' but the operands give 'tensor<2x4x8xf32>'}}
  %0 = clip.concat %a, %b axis 1 : (tensor<?x1x8xf32>, tensor<2x3x8xf32>) -> tensor<?x4x8xf32>
  return
}

// -----

func.func @layer_norm_weight_shape(%x: tensor<2x8xf32>, %w: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'clip.layer_norm' op weight must be [8] (the last dim of input [2x8]), got 'tensor<4xf32>'}}
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @layer_norm_bias_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'clip.layer_norm' op bias element type 'f16' does not match input element type 'f32'}}
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf16>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @layer_norm_dynamic_width(%x: tensor<2x?xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'clip.layer_norm' op the normalized (last) dim of input must be static, got [2x?]}}
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x?xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x?xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @layer_norm_stats_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'clip.layer_norm' op result #1 is declared 'tensor<2xf32>' but the operands give 'tensor<2x1xf32>'}}
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'clip.layer_norm' op attribute 'epsilon' failed to satisfy constraint}}
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 0.0 : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @add_layer_norm_residual(%x: tensor<2x8xf32>, %r: tensor<1x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'clip.add_layer_norm' op residual type 'tensor<1x8xf32>' must equal input type 'tensor<2x8xf32>'}}
  %s, %y, %m, %r2 = clip.add_layer_norm %x, %r, %w, %b epsilon 1.0e-05 : (tensor<2x8xf32>, tensor<1x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @attention_head_size(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x32xf32>, %v: tensor<2x4x8x16xf32>) {
  // expected-error @+1 {{'clip.attention' op query [2x4x8x16] and key [2x4x8x32] must have the same head size (last dim)}}
  %o, %l = clip.attention %q, %k, %v scale 0.25 : (tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return
}

// -----

func.func @attention_value_length(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x9x16xf32>) {
  // expected-error @+1 {{'clip.attention' op key [2x4x8x16] and value [2x4x9x16] must have the same length (dim 2)}}
  %o, %l = clip.attention %q, %k, %v scale 0.25 : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x9x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return
}

// -----

func.func @attention_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x1x8x16xf32>) {
  // expected-error @+1 {{'clip.attention' op leading dim 1 differs: query [2x4x8x16], key [2x1x8x16], value [2x1x8x16]}}
  %o, %l = clip.attention %q, %k, %k scale 0.25 : (tensor<2x4x8x16xf32>, tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return
}

// -----

func.func @attention_causal_lengths(%q: tensor<2x1x16xf32>, %k: tensor<2x5x16xf32>) {
  // expected-error @+1 {{'clip.attention' op causal attention needs as many queries as keys, got query [2x1x16] and key [2x5x16]}}
  %o, %l = clip.attention %q, %k, %k scale 0.25 causal : (tensor<2x1x16xf32>, tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> (tensor<2x1x16xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @attention_lse_type(%q: tensor<2x8x16xf16>) {
  // expected-error @+1 {{'clip.attention' op result #1 is declared 'tensor<2x8xf16>' but the operands give 'tensor<2x8xf32>'}}
  %o, %l = clip.attention %q, %q, %q scale 0.25 : (tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<2x8x16xf16>) -> (tensor<2x8x16xf16>, tensor<2x8xf16>)
  return
}

// -----

func.func @attention_scale(%q: tensor<2x8x16xf32>) {
  // expected-error @+1 {{'clip.attention' op attribute 'scale' failed to satisfy constraint}}
  %o, %l = clip.attention %q, %q, %q scale -0.25 : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8xf32>)
  return
}

// -----

func.func @contrastive_loss_batches(%i: tensor<4x8xf32>, %t: tensor<5x8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'clip.contrastive_loss' op image and text must be [N, D] of one type, got 'tensor<4x8xf32>' and 'tensor<5x8xf32>'}}
  %l, %a, %b, %c, %d = clip.contrastive_loss %i, %t, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @contrastive_loss_scale(%i: tensor<4x8xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'clip.contrastive_loss' op logit_scale must be a scalar of the embeddings' element type, got 'tensor<1xf32>'}}
  %l, %a, %b, %c, %d = clip.contrastive_loss %i, %i, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<1xf32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @sigmoid_loss_bias(%i: tensor<4x8xf32>, %s: tensor<f32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{'clip.sigmoid_loss' op logit_bias must be a scalar like logit_scale, got 'tensor<1xf32>'}}
  %l, %a, %c = clip.sigmoid_loss %i, %i, %s, %b epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<1xf32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>)
  return
}

// -----

func.func @sigmoid_loss_batches(%i: tensor<4x8xf32>, %t: tensor<5x8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'clip.sigmoid_loss' op image and text must be [N, D] of one type, got 'tensor<4x8xf32>' and 'tensor<5x8xf32>'}}
  %l, %a, %c = clip.sigmoid_loss %i, %t, %s, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>)
  return
}

// -----

func.func @sigmoid_loss_grad_norm(%g: tensor<f32>, %x: tensor<4x8xf32>, %s: tensor<f32>, %n: tensor<4xf32>) {
  // expected-error @+1 {{'clip.sigmoid_loss_grad' op saved value 'tensor<4xf32>' must be 'tensor<4x1xf32>'}}
  %di, %dt, %ds, %db = clip.sigmoid_loss_grad %g, %x, %x, %s, %s, %n, %n epsilon 1.0e-12 : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @gemm_bias(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bias: tensor<8xf32>) {
  // expected-error @+1 {{'clip.gemm' op bias must be [16] of 'f32' (the result's last dim), got 'tensor<8xf32>'}}
  %0 = clip.gemm %a, %b bias %bias : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @gemm_residual(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %r: tensor<1x16xf32>) {
  // expected-error @+1 {{'clip.gemm' op residual must have the result type 'tensor<4x16xf32>', got 'tensor<1x16xf32>'}}
  %0 = clip.gemm %a, %b residual %r : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<1x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @gemm_contraction(%a: tensor<4x8xf32>, %b: tensor<9x16xf32>) {
  // expected-error @+1 {{'clip.gemm' op contraction size of lhs [4x8] (dim 1: 8) does not match rhs [9x16] (dim 0: 9)}}
  %0 = clip.gemm %a, %b : (tensor<4x8xf32>, tensor<9x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @elementwise_not_fusible(%x: tensor<4x8xf32>) {
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x1xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // expected-error @+1 {{'clip.reduce_sum' op is not elementwise and cannot be in the body of 'clip.elementwise'}}
    %s = clip.reduce_sum %a axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
    clip.yield %s : tensor<4x1xf32>
  }
  return
}

// -----

func.func @elementwise_yield_types(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'clip.elementwise' op yields 'tensor<4x8xf32>' but its results are 'tensor<4x8xf64>'}}
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf64> {
  ^bb0(%a: tensor<4x8xf32>):
    %e = clip.exp %a : tensor<4x8xf32>
    clip.yield %e : tensor<4x8xf32>
  }
  return
}

// -----

func.func @elementwise_arguments(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'clip.elementwise' op body argument #0 has type 'tensor<8xf32>' but input #0 is 'tensor<4x8xf32>'}}
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    clip.yield %a : tensor<8xf32>
  }
  return
}

// -----

func.func @elementwise_captures(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = clip.add %a, %y : tensor<4x8xf32>
    clip.yield %s : tensor<4x8xf32>
  }
  return
}

// -----

func.func @yield_outside(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'clip.yield' op expects parent op 'clip.elementwise'}}
  clip.yield %x : tensor<4x8xf32>
}

// -----

func.func @slice_grad_size(%g: tensor<2x4xf32>) {
  // expected-error @+1 {{'clip.slice_grad' op grad 'tensor<2x4xf32>' is not the slice of the result 'tensor<2x7xf32>': dim 1 should be 3}}
  %0 = clip.slice_grad %g axis 1 from 1 to 6 step 2 : tensor<2x4xf32> -> tensor<2x7xf32>
  return
}

// -----

func.func @slice_grad_range(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'clip.slice_grad' op slice [1, 9) does not fit dim 1 of the result 'tensor<2x7xf32>'}}
  %0 = clip.slice_grad %g axis 1 from 1 to 9 step 3 : tensor<2x3xf32> -> tensor<2x7xf32>
  return
}

// -----

func.func @gather_grad_shape(%g: tensor<2x76x8xf32>, %i: tensor<2x77xi64>) {
  // expected-error @+1 {{'clip.gather_grad' op grad is 'tensor<2x76x8xf32>' but gathering from 'tensor<100x8xf32>' gives 'tensor<2x77x8xf32>'}}
  %0 = clip.gather_grad %g, %i axis 0 : (tensor<2x76x8xf32>, tensor<2x77xi64>) -> tensor<100x8xf32>
  return
}
