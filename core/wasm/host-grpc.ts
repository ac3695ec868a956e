// gRPC callouts: not offered by Weft yet; every call answers UNIMPLEMENTED so SDKs report an error instead of hanging.
import { Status } from './abi.ts';

const unimplemented = (): number => Status.Unimplemented;

export const grpcHost = {
  proxy_grpc_call: unimplemented,
  proxy_grpc_stream: unimplemented,
  proxy_grpc_send: unimplemented,
  proxy_grpc_cancel: unimplemented,
  proxy_grpc_close: unimplemented,
};
