// Types for the npm `smpp` package (0.5.x, plain JavaScript): only what fastpva and its tests use.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** The fields of a PDU fastpva reads or sets; the package names them as SMPP does. */
  export interface PduFields {
    command_status?: number;
    system_id?: string;
    password?: string;
    message_id?: string;
    source_addr?: string;
    destination_addr?: string;
    esm_class?: number;
    data_coding?: number;
    /** A Buffer as sent (fastpva turns off the package's own text decoding, see api/smpp/pdu.ts). */
    short_message?: Buffer;
    message_payload?: Buffer;
    sar_msg_ref_num?: number;
    sar_total_segments?: number;
    sar_segment_seqnum?: number;
  }

  export interface PDU extends PduFields {
    /** 'bind_transceiver', 'deliver_sm', ... or 'unknown'. */
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    /** The matching _resp (generic_nack for an unknown command), with the same sequence number. */
    response(fields?: PduFields): PDU;
  }

  type Callback = (pdu: PDU) => void;
  type Request = (fields?: PduFields, onResponse?: Callback) => boolean;

  export class Session extends EventEmitter {
    socket: Socket;
    /** Sends a PDU; `onResponse` gets a request's response. False when the connection cannot take it. */
    send(pdu: PDU, onResponse?: Callback): boolean;
    /** Stops reading PDUs until resume(). */
    pause(): void;
    resume(): void;
    /** Ends the connection once what was sent is flushed. */
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver: Request;
    bind_receiver: Request;
    bind_transmitter: Request;
    deliver_sm: Request;
    submit_sm: Request;
    enquire_link: Request;
    unbind: Request;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  interface ParamType {
    read(buffer: Buffer, offset: number, length?: number): unknown;
  }
  interface ParamDefinition {
    type: ParamType;
    filter?: unknown;
  }
  interface CommandDefinition {
    id: number;
    params?: Record<string, ParamDefinition>;
  }
  interface TlvDefinition {
    id: number;
    type: ParamType;
    filter?: unknown;
  }

  const smpp: {
    PDU: new (command: string, fields?: PduFields) => PDU;
    createServer(options: Record<string, never>, onSession: (session: Session) => void): Server;
    connect(options: { host: string; port: number }, onConnect?: () => void): Session;
    /** Defines (or redefines) a command for every session in the process. */
    addCommand(command: string, definition: CommandDefinition): void;
    addTLV(tag: string, definition: TlvDefinition): void;
    commands: Record<string, CommandDefinition>;
    tlvs: Record<string, TlvDefinition>;
    types: { buffer: ParamType; tlv: { buffer: ParamType } };
    ESME_ROK: number;
    ESME_RINVCMDID: number;
    ESME_RINVBNDSTS: number;
    ESME_RALYBND: number;
    ESME_RSYSERR: number;
    ESME_RINVDSTADR: number;
    ESME_RBINDFAIL: number;
    ESME_RINVESMCLASS: number;
    ESME_RTHROTTLED: number;
    ESME_RX_T_APPN: number;
    ESME_RINVDCS: number;
  };
  export default smpp;
}
