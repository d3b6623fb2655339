/**
 * Reads several async iterables at once and yields their items as they come. Each source is pulled one item
 * ahead at most, so memory stays bounded; when the consumer stops early every source is closed.
 */
export async function* mergeStreams<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T, void, undefined> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]())
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>()
  const pull = (index: number) => {
    pending.set(
      index,
      iterators[index].next().then((result) => ({ index, result })),
    )
  }
  for (let index = 0; index < iterators.length; index++) pull(index)
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values())
      if (result.done) {
        pending.delete(index)
        continue
      }
      pull(index)
      yield result.value
    }
  } finally {
    await Promise.allSettled(iterators.map((iterator) => iterator.return?.()))
  }
}
