/** A request body made of text and byte pieces, produced only as the connection takes them. */

const encoder = new TextEncoder()

/** A `ReadableStream` over `pieces`, pulled one piece at a time; cancelling it stops the generator. */
export function bodyStream(pieces: AsyncGenerator<string | Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await pieces.next()
        if (done) controller.close()
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value)
      } catch (error) {
        controller.error(error)
      }
    },
    async cancel() {
      await pieces.return(undefined)
    },
  })
}
