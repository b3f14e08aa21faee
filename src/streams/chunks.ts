// Async iteration of a WHATWG ReadableStream, for the objects that offer `for await` over their `readable`.

/** Iterates the chunks of `readable`, holding its reader until the end; ends when it closes, throws its error. */
export async function* chunksOf<T>(readable: ReadableStream<T>): AsyncGenerator<T, void, undefined> {
  const reader = readable.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
