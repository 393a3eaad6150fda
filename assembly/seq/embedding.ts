// Embedding lookups (issue 16): rows of a [V, D] table gathered by the ids in
// a float buffer, and the adjoint: the output gradient's rows added into the
// table's gradient at their ids, in order, so the sums never depend on how
// the work is cut.

/**
 * Y[i, :] = E[ids[i], :] for i in [0, count). Returns 0, or i + 1 for the first id that is not an integer
 * in [0, V) (nothing is written from there on).
 */
export function embeddingGather(E: usize, ids: usize, Y: usize, count: i32, D: i32, V: i32): f64 {
  const rowBytes = <usize>D << 2;
  for (let i = 0; i < count; i++) {
    const v = load<f32>(ids + (<usize>i << 2));
    if (!(v >= 0 && v < <f32>V) || v != Mathf.floor(v)) return <f64>(i + 1);
    memory.copy(Y + <usize>i * rowBytes, E + <usize>(<i32>v) * rowBytes, rowBytes);
  }
  return 0;
}

/** dE (written, zeroed first: V·D floats) = Σ over i in order of dY[i, :] added at row ids[i] (ids already checked). */
export function embeddingScatter(dY: usize, ids: usize, dE: usize, count: i32, D: i32, V: i32): void {
  const rowBytes = <usize>D << 2;
  memory.fill(dE, 0, <usize>V * rowBytes);
  for (let i = 0; i < count; i++) {
    const d = dE + <usize>(<i32>load<f32>(ids + (<usize>i << 2))) * rowBytes;
    const g = dY + <usize>i * rowBytes;
    let k = 0;
    for (; k + 4 <= D; k += 4) {
      const o = <usize>k << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(g + o)));
    }
    for (; k < D; k++) {
      const o = <usize>k << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(g + o));
    }
  }
}
