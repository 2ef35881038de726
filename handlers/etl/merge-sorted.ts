// A k-way merge of sorted streams: what lets reduce and report handle any number of groups while holding
// one entry per input, never a whole bucket.

/** Yields the items of every source in one sorted order (sources must each be sorted by `compare`); ties keep source order. */
export async function* mergeSorted<T>(sources: readonly AsyncIterable<T>[], compare: (a: T, b: T) => number): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  // A binary min-heap of each source's current head; the source index breaks ties so the merge is stable.
  const heap: { item: T; source: number }[] = [];
  const less = (a: { item: T; source: number }, b: { item: T; source: number }) => {
    const order = compare(a.item, b.item);
    return order < 0 || (order === 0 && a.source < b.source);
  };
  const push = (node: { item: T; source: number }) => {
    heap.push(node);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && less(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && less(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  };
  try {
    const firsts = await Promise.all(iterators.map((it) => it.next()));
    firsts.forEach((r, source) => r.done || push({ item: r.value, source }));
    while (heap.length > 0) {
      const { item, source } = pop();
      yield item;
      const next = await iterators[source]!.next();
      if (!next.done) push({ item: next.value, source });
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

/** Runs of equal items (by `same`) of a sorted stream, one array per run. */
export async function* runsOf<T>(items: AsyncIterable<T>, same: (a: T, b: T) => boolean): AsyncGenerator<T[]> {
  let run: T[] = [];
  for await (const item of items) {
    if (run.length > 0 && !same(run[0]!, item)) {
      yield run;
      run = [];
    }
    run.push(item);
  }
  if (run.length > 0) yield run;
}
