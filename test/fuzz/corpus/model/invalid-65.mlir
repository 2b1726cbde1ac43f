func.func @log_softmax_axis(%x: tensor<10xbf16>) {
  %0 = clip.log_softmax %x axis 1 : tensor<10xbf16>
  return
}
