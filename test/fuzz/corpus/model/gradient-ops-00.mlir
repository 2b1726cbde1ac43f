func.func @gradient_ops(%x: tensor<2x8xf32>, %dy: tensor<2x8xf32>, %ds: tensor<2x3xf32>,
                        %dg: tensor<2x77x8xf32>, %ids: tensor<2x77xi64>, %eos: tensor<2xi64>) {
  %0 = clip.gelu_grad %x, %dy approximate quick : tensor<2x8xf32>
  %1 = clip.gelu_grad %x, %dy : tensor<2x8xf32>
  %2 = clip.slice_grad %ds axis 1 from 1 to 6 step 2 : tensor<2x3xf32> -> tensor<2x7xf32>
  %3 = clip.gather_grad %dg, %ids axis 0 : (tensor<2x77x8xf32>, tensor<2x77xi64>) -> tensor<100x8xf32>
  %4 = clip.gather_grad %dy, %eos axis 1 batch_dims 1 : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x5x8xf32>
  return
}
