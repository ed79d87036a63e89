package dev.aigov.server.grpc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services as server reflection describes them: their {@code .proto} files with each field's
 * {@code json_name}, as protoc writes it for a descriptor set. The descriptors generated for Java
 * leave it out, and a reflection client that takes JSON names from the descriptor alone (connect-es's
 * {@code @bufbuild/protobuf} does) would otherwise send and read {@code ""} for every field. The
 * handlers are the same objects: only what reflection reads changes.
 */
public final class ReflectedDescriptors {
    /** Each file rebuilt once, its dependencies rebuilt with it, so one name is one descriptor. */
    private static final Map<String, FileDescriptor> REBUILT = new ConcurrentHashMap<>();

    private ReflectedDescriptors() {
    }

    /** {@code definition}, its schema descriptor one with JSON names; unchanged if it has no protobuf schema. */
    public static ServerServiceDefinition withJsonNames(ServerServiceDefinition definition) {
        ServiceDescriptor original = definition.getServiceDescriptor();
        if (!(original.getSchemaDescriptor() instanceof ProtoServiceDescriptorSupplier schema)) {
            return definition;
        }
        FileDescriptor file = rebuilt(schema.getFileDescriptor());
        Descriptors.ServiceDescriptor service = file.findServiceByName(schema.getServiceDescriptor().getName());
        ServiceDescriptor.Builder described =
                ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(new Schema(file, service));
        for (MethodDescriptor<?, ?> method : original.getMethods()) {
            described.addMethod(method);
        }
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(described.build());
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            rebuilt.addMethod(method);
        }
        return rebuilt.build();
    }

    static FileDescriptor rebuilt(FileDescriptor file) {
        FileDescriptor done = REBUILT.get(file.getName());
        if (done != null) {
            return done;
        }
        List<FileDescriptor> dependencies = new ArrayList<>();
        for (FileDescriptor dependency : file.getDependencies()) {
            dependencies.add(rebuilt(dependency));
        }
        FileDescriptorProto.Builder proto = file.toProto().toBuilder();
        for (int i = 0; i < proto.getMessageTypeCount(); i++) {
            proto.setMessageType(i, withJsonNames(proto.getMessageType(i), file.getMessageTypes().get(i)));
        }
        try {
            FileDescriptor built = FileDescriptor.buildFrom(proto.build(), dependencies.toArray(FileDescriptor[]::new));
            FileDescriptor raced = REBUILT.putIfAbsent(file.getName(), built);
            return raced != null ? raced : built;
        } catch (Descriptors.DescriptorValidationException impossible) {
            throw new IllegalStateException("the generated descriptor of " + file.getName() + " does not rebuild", impossible);
        }
    }

    /** {@code message} with each field's JSON name (protoc's: lowerCamelCase of the field's name), nested messages too. */
    private static DescriptorProto withJsonNames(DescriptorProto message, Descriptors.Descriptor descriptor) {
        DescriptorProto.Builder named = message.toBuilder();
        for (int i = 0; i < named.getFieldCount(); i++) {
            named.setField(i, named.getField(i).toBuilder().setJsonName(descriptor.getFields().get(i).getJsonName()));
        }
        for (int i = 0; i < named.getNestedTypeCount(); i++) {
            named.setNestedType(i, withJsonNames(named.getNestedType(i), descriptor.getNestedTypes().get(i)));
        }
        return named.build();
    }

    /** What grpc-java's reflection reads of a service: its file and its descriptor. */
    private record Schema(FileDescriptor file, Descriptors.ServiceDescriptor service)
            implements
                ProtoFileDescriptorSupplier,
                ProtoServiceDescriptorSupplier {
        @Override
        public FileDescriptor getFileDescriptor() {
            return file;
        }

        @Override
        public Descriptors.ServiceDescriptor getServiceDescriptor() {
            return service;
        }
    }
}
