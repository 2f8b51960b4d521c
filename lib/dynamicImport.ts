/**
 * `import()` of a package the library loads when first needed (the AWS SDK, BullMQ, tsx) or of a user's flow
 * file (a URL). Every dynamic import in lib/ goes through here because of how the package is built: dist/ runs
 * lib/ as one script compiled from V8's code cache (lib/codeCache/), and on Node 20 such a script has no
 * `import()` of its own, so the loader lends it one (its own, which resolves packages from the same directory).
 */
type Importer = (specifier: string) => Promise<unknown>

let importer: Importer = (specifier) => import(specifier)

/** `import(specifier)`: a package name or a `file:` URL. */
export const dynamicImport = (specifier: string): Promise<unknown> => importer(specifier)

/** Called once by the loader of the built package, before any code of the library runs. */
export const useImporter = (given: Importer): void => {
  importer = given
}
