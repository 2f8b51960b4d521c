/**
 * Types of `step`: the record a step function sees, what its output does to the state, and the checks
 * reported on the step's name (the first line of the call, where `@ts-expect-error` and the eye go).
 */
import type { CaughtError } from "./context.js"
import type { ConfigWrite, DuplicateStep, InvalidName, ParamWrite, StageAfterOpen } from "./messages.js"
import type { AfterStep, AnyState, Entry, NamesIn, OpenForeach, OpenSplit, OutputOf, TypeIn } from "./state.js"
import type { NotStorableOutputs } from "./storable.js"

/**
 * `Errors` when there are any, else `Ok`. Check types put the argument's own type parameter as `Ok` at the
 * top level (`Otherwise<Violations, Name>`) and wrap the errors in `NoInfer`: inferring the parameter from
 * the argument must never look into the checks about it (the compiler would pick up garbage candidates).
 */
export type Otherwise<Errors, Ok> = [NoInfer<Errors>] extends [never] ? Ok : NoInfer<Errors>

/** The first non-empty group of errors: `Errors` when there are any, else `Later`. Orders the checks. */
export type FirstOf<Errors, Later> = [Errors] extends [never] ? Later : Errors

/** The message when a stage comes right after a split or foreach that no join closed yet. */
export type OpenViolation<S extends AnyState, Stage extends string> = S["pending"] extends OpenSplit | OpenForeach
  ? StageAfterOpen<Stage, S["pending"]["kind"]>
  : never

/** Name rules the compiler can see (the runtime checks the full pattern). */
export type NameViolation<Kind extends string, Name extends string> = Name extends "" | `_${string}` | `-${string}`
  ? InvalidName<Kind, Name>
  : never

export type DuplicateViolation<S extends AnyState, Name extends string> = string extends S["steps"]
  ? never
  : Name extends S["steps"]
    ? DuplicateStep<Name>
    : never

/** The message for writing a read-only artifact: a config's own, or a parameter's. */
export type ReadOnlyWrite<S extends AnyState, Step extends string, Key extends string> = Key extends keyof S["meta"]["configs"]
  ? ConfigWrite<Step, Key>
  : ParamWrite<Step, Key>

/** Not checked when the parameters are not known here (a stage built apart from a flow, as in `seq(...)`). */
export type ParamWriteViolation<S extends AnyState, Step extends string, Output> = string extends S["params"]
  ? never
  : ReadOnlyWrite<S, Step, Extract<keyof Output, S["params"]> & string>

/** Everything a step's or join's output can get wrong. */
export type OutputViolations<S extends AnyState, Name extends string, Output> = FirstOf<
  ParamWriteViolation<S, Name, Output>,
  NotStorableOutputs<Name, Output>
>

/** `catch: "name"` writes an artifact too: it must not be a parameter or a config. */
export type CatchViolation<S extends AnyState, Step extends string, Catch> = string extends S["params"]
  ? never
  : Catch extends S["params"]
    ? ReadOnlyWrite<S, Step, Catch & string>
    : never

export type StepViolations<S extends AnyState, Name extends string, Output, Catch> = FirstOf<
  OpenViolation<S, `step '${Name}'`> | NameViolation<"step", Name>,
  FirstOf<DuplicateViolation<S, Name>, OutputViolations<S, Name, Output> | CatchViolation<S, Name, Catch>>
>

/**
 * The type of a step's `name` argument: the name itself, or the messages saying what is wrong. `Output` is
 * the function's own output (`OutputOf<Returned>`): checking the record-dependent `StepOutput` here makes
 * the compiler walk the record chain (TS2589 on long flows).
 */
export type CheckStep<S extends AnyState, Name extends string, Output, Catch = undefined> = Otherwise<
  StepViolations<S, Name, Output, Catch>,
  Name
>

/**
 * The output as it lands in the record. With `catch`, the step may end with only the error artifact, so
 * each output keeps its previous type (or `undefined`) as an alternative.
 */
export type CaughtOutput<Before extends Entry, Output, Catch extends string | undefined> = [Catch] extends [string]
  ? string extends Catch
    ? Output
    : {
        readonly [K in keyof Output]: Output[K] | (K extends NamesIn<Before> ? TypeIn<Before, K> : undefined)
      } & { readonly [K in Catch]: CaughtError | undefined }
  : Output

export type StepOutput<S extends AnyState, Returned, Catch extends string | undefined> = CaughtOutput<
  S["entries"],
  OutputOf<Returned, S["entries"]>,
  Catch
>

export type AfterStepWith<S extends AnyState, Name extends string, Returned, Catch extends string | undefined> = AfterStep<
  S,
  Name,
  StepOutput<S, Returned, Catch>
>

