/** A scenario the kernel cannot run, naming the offending field (the API turns it into a 400). */
export class ScenarioError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ScenarioError";
  }
}
