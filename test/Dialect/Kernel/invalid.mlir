// RUN: clip-opt --split-input-file --verify-diagnostics %s

func.func @view_past_end(%b: memref<8xf32>) {
  // expected-error @+1 {{reads elements [4, 10) of a buffer of 8}}
  %v = kernel.view %b [4] : memref<8xf32> -> memref<6xf32>
  return
}

// -----

func.func @view_element_type(%b: memref<8xf32>) {
  // expected-error @+1 {{changes the element type from 'f32' to 'i64'}}
  %v = kernel.view %b [0] : memref<8xf32> -> memref<8xi64>
  return
}

// -----

func.func @constant_shape() {
  // expected-error @+1 {{value of type 'tensor<2xf32>' does not fill a buffer of type 'memref<3xf32>'}}
  %c = kernel.constant dense<1.0> : tensor<2xf32> : memref<3xf32>
  return
}

// -----

func.func @launch_argument(%a: memref<4xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{body argument #0 is 'tensor<5xf32>', its buffer holds 'tensor<4xf32>'}}
  kernel.launch @exp_0 ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: tensor<5xf32>):
    %e = clip.exp %x : tensor<5xf32>
    kernel.yield %e : tensor<5xf32>
  }
  return
}

// -----

func.func @launch_yield(%a: memref<4xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{yields 2 tensors for 1 output buffers}}
  kernel.launch @exp_0 ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    %e = clip.exp %x : tensor<4xf32>
    kernel.yield %e, %e : tensor<4xf32>, tensor<4xf32>
  }
  return
}

// -----

func.func @launch_two_ops(%a: memref<4xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{body must hold exactly one op besides the terminator}}
  kernel.launch @exp_0 ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    %e = clip.exp %x : tensor<4xf32>
    %f = clip.exp %e : tensor<4xf32>
    kernel.yield %f : tensor<4xf32>
  }
  return
}
