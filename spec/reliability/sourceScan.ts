/**
 * A static check of the library's source for every way to turn text into running code, on the syntax tree
 * (TypeScript 5.9's compiler API, the one that has one; see DESIGN.md §7), so that comments and strings that
 * merely mention `eval` do not count and aliasing tricks like `(0, eval)` or `globalThis["eval"]` do:
 *
 * - `eval` in any form, the `Function` constructor, and calls of a `.constructor` property (a function's
 *   constructor is `Function`);
 * - the `vm` module;
 * - seroval's code paths: `deserialize` (it is `eval`), the writers of JavaScript (`serialize`...), and
 *   `createReference` (registered references are what a crafted tree can reach), or seroval as a namespace;
 * - modules loaded by a computed name (`import(x)`, `dynamicImport(x)`, `require(x)`), outside the files allowed to do so.
 */
import { readFileSync, readdirSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "../compilers/ts5.9/node_modules/typescript/lib/typescript.js"

const SEROVAL_CODE_PATHS = new Set([
  "deserialize",
  "serialize",
  "serializeAsync",
  "crossSerialize",
  "crossSerializeAsync",
  "crossSerializeStream",
  "compileJSON",
  "getCrossReferenceHeader",
  "createReference",
  "Serializer"
])

const GLOBAL_OBJECTS = new Set(["globalThis", "global", "window", "self"])
const EVALUATORS = new Set(["eval", "Function"])

/** Every `.ts` file under `dir`, recursively. */
export const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

const isLiteral = (node: ts.Node | undefined): boolean =>
  node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))

const moduleName = (node: ts.Expression): string | undefined => (ts.isStringLiteral(node) ? node.text : undefined)

/**
 * The violations in one file's text, as "file:line: what". `computedImports`: whether `import(x)` and
 * `createRequire(file)(x)` (how user flow files are loaded) are allowed here.
 */
export const scanSource = (file: string, text: string, computedImports: boolean): ReadonlyArray<string> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: Array<string> = []
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
    found.push(`${file}:${line + 1}: ${what}`)
  }
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === "eval") report(node, "eval")
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.expression !== undefined) {
      const callee = node.expression
      if (ts.isIdentifier(callee) && callee.text === "Function") report(node, "the Function constructor")
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === "constructor")
        report(node, "a call of a .constructor")
      if (callee.kind === ts.SyntaxKind.ImportKeyword && !computedImports && !isLiteral(node.arguments?.[0]))
        report(node, "import() of a computed name")
      // lib/dynamicImport.ts is how lib/ imports (the built package lends it Node's import()): the same rule.
      if (ts.isIdentifier(callee) && callee.text === "dynamicImport" && !computedImports && !isLiteral(node.arguments?.[0]))
        report(node, "dynamicImport() of a computed name")
      if (ts.isIdentifier(callee) && callee.text === "require" && !isLiteral(node.arguments?.[0]))
        report(node, "require() of a computed name")
      if (
        ts.isCallExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === "createRequire" &&
        !computedImports &&
        !isLiteral(node.arguments?.[0])
      ) {
        report(node, "createRequire()() of a computed name")
      }
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      GLOBAL_OBJECTS.has(node.expression.text) &&
      EVALUATORS.has(node.name.text)
    ) {
      report(node, `${node.expression.text}.${node.name.text}`)
    }
    if (
      ts.isElementAccessExpression(node) &&
      isLiteral(node.argumentExpression) &&
      EVALUATORS.has((node.argumentExpression as ts.StringLiteral).text)
    ) {
      report(node, `[${(node.argumentExpression as ts.StringLiteral).text}]`)
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      const name = moduleName(node.moduleSpecifier)
      if (name === "vm" || name === "node:vm") report(node, "the vm module")
      if (name === "seroval") {
        const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause
        if (bindings === undefined || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings))
          report(node, "seroval as a namespace")
        else {
          for (const element of bindings.elements) {
            const imported = (element.propertyName ?? element.name).text
            if (SEROVAL_CODE_PATHS.has(imported)) report(element, `seroval's ${imported}`)
          }
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Scans every file under `root/lib`; `computedImportFiles` (relative to root) may use `import(x)`. */
export const scanLibrary = (root: string, computedImportFiles: ReadonlySet<string>): ReadonlyArray<string> =>
  sourceFiles(join(root, "lib")).flatMap((path) => {
    const file = relative(root, path)
    return scanSource(file, readFileSync(path, "utf8"), computedImportFiles.has(file))
  })
