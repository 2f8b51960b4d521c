import { expectTypeOf, test } from "vitest"
test("smoke", () => {
  expectTypeOf<1>().toEqualTypeOf<1>()
})
