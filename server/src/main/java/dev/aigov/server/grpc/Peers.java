package dev.aigov.server.grpc;

import io.grpc.Grpc;
import io.grpc.ServerCall;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/**
 * Who is calling, as far as the network says: the IPv4 address, or the /64 prefix of an IPv6 one
 * (one host owns a whole /64, so counting per address would let it hop). Not a credential.
 */
public final class Peers {
    private Peers() {
    }

    public static String of(ServerCall<?, ?> call) {
        return of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    }

    static String of(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress ip = inet.getAddress();
            if (ip instanceof Inet6Address) {
                byte[] prefix = Arrays.copyOf(ip.getAddress(), 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                try {
                    return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
                } catch (java.net.UnknownHostException impossible) {
                    return ip.getHostAddress();
                }
            }
            return ip.getHostAddress();
        }
        return address == null ? "unknown" : address.getClass().getSimpleName();
    }
}
