func.func @inputs() -> (tensor<?x77xi64>, tensor<?x76xi64>) {
  %a = clip.input "text" : tensor<?x77xi64>
  %b = clip.input "text" : tensor<?x76xi64>
  return %a, %b : tensor<?x77xi64>, tensor<?x76xi64>
}
