package dev.aigov.server.testing;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What grpcurl does, in-process: lists services through server reflection, describes symbols, and
 * calls a method from JSON with headers, knowing nothing of aigov's classes (only what reflection
 * tells it). Understands the subset of grpcurl's command line the README uses.
 */
public final class Grpcurl {
    private final Channel channel;

    public Grpcurl(Channel channel) {
        this.channel = channel;
    }

    /** Runs one grpcurl command line (its arguments after "grpcurl"); returns what grpcurl would print. */
    public String run(List<String> args) throws Exception {
        Metadata headers = new Metadata();
        String data = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "-plaintext" -> {
                }
                case "-H" -> {
                    String header = args.get(++i);
                    int colon = header.indexOf(':');
                    headers.put(Metadata.Key.of(header.substring(0, colon).trim(), Metadata.ASCII_STRING_MARSHALLER),
                            header.substring(colon + 1).trim());
                }
                case "-d" -> data = args.get(++i);
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("this stand-in does not know grpcurl's " + arg);
                    }
                    positional.add(arg);
                }
            }
        }
        // positional: the address (the channel stands for it), then a verb or a method.
        List<String> verb = positional.subList(1, positional.size());
        if (verb.get(0).equals("list")) {
            return String.join("\n", listServices());
        }
        if (verb.get(0).equals("describe")) {
            return describe(verb.get(1));
        }
        return call(verb.get(0), data == null ? "{}" : data, headers);
    }

    public List<String> listServices() throws Exception {
        ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder().setListServices("").build());
        return response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).sorted().toList();
    }

    private String describe(String symbol) throws Exception {
        Descriptors.FileDescriptor file = fileContaining(symbol);
        Descriptors.Descriptor message = file.findMessageTypeByName(simpleName(symbol));
        if (message != null) {
            return message.toProto().toString();
        }
        Descriptors.ServiceDescriptor service = file.findServiceByName(simpleName(symbol));
        if (service != null) {
            return service.toProto().toString();
        }
        throw new IllegalArgumentException("Symbol not found: " + symbol);
    }

    private String call(String fullMethod, String json, Metadata headers) throws Exception {
        int slash = fullMethod.lastIndexOf('/');
        String serviceName = fullMethod.substring(0, slash);
        Descriptors.ServiceDescriptor service = fileContaining(serviceName).findServiceByName(simpleName(serviceName));
        Descriptors.MethodDescriptor method = service.findMethodByName(fullMethod.substring(slash + 1));
        if (method == null) {
            throw new IllegalArgumentException("no method " + fullMethod);
        }
        DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
        JsonFormat.parser().merge(json, request);
        MethodDescriptor<DynamicMessage, DynamicMessage> descriptor = MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
                .build();
        Channel withHeaders = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        DynamicMessage response = ClientCalls.blockingUnaryCall(withHeaders, descriptor,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request.build());
        return JsonFormat.printer().print(response);
    }

    private Descriptors.FileDescriptor fileContaining(String symbol) throws Exception {
        ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
        if (response.hasErrorResponse()) {
            throw new IllegalArgumentException("Symbol not found: " + symbol + " (" + response.getErrorResponse().getErrorMessage() + ")");
        }
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            FileDescriptorProto proto = FileDescriptorProto.parseFrom(bytes);
            protos.put(proto.getName(), proto);
        }
        FileDescriptorProto first = FileDescriptorProto.parseFrom(response.getFileDescriptorResponse().getFileDescriptorProto(0));
        return build(first.getName(), protos, new HashMap<>());
    }

    private Descriptors.FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
            Map<String, Descriptors.FileDescriptor> built) throws Exception {
        if (built.containsKey(name)) {
            return built.get(name);
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            proto = fileByName(name);
            protos.put(name, proto);
        }
        List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            dependencies.add(build(dependency, protos, built));
        }
        Descriptors.FileDescriptor file =
                Descriptors.FileDescriptor.buildFrom(proto, dependencies.toArray(Descriptors.FileDescriptor[]::new));
        built.put(name, file);
        return file;
    }

    private FileDescriptorProto fileByName(String name) throws Exception {
        ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder().setFileByFilename(name).build());
        return FileDescriptorProto.parseFrom(response.getFileDescriptorResponse().getFileDescriptorProto(0));
    }

    private ServerReflectionResponse reflect(ServerReflectionRequest request)
            throws InterruptedException, ExecutionException, TimeoutException, InvalidProtocolBufferException {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        answer.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("reflection stream ended without an answer"));
                    }
                });
        requests.onNext(request);
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            requests.onCompleted();
        }
    }

    private static String simpleName(String fullName) {
        return fullName.substring(fullName.lastIndexOf('.') + 1);
    }

    @Override
    public String toString() {
        return "Grpcurl[" + channel.authority() + "]";
    }
}
