/** A chat adapter once started: the composition root stops it on shutdown. */
export interface RunningAdapter {
  readonly name: string;
  stop(): Promise<void>;
}
