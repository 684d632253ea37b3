// Recording strictly after consent: the port through which a call recording is started once
// a caller with a granted consent is bridged to a person.
export interface RecordingStarter {
  start(callSid: string): Promise<void>;
}
