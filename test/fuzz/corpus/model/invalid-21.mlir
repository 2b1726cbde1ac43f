func.func @constant_vector() {
  %0 = clip.constant dense<1.0> : vector<4xf32>
  return
}
