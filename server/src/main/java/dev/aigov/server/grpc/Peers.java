package dev.aigov.server.grpc;

import io.grpc.Context;
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
    private static final Context.Key<SocketAddress> BRIDGED = Context.key("aigov.bridged-peer");

    private Peers() {
    }

    /**
     * The address of the connection a call came in on: the socket's, or for a call the Connect port
     * bridged in, the HTTP connection's ({@link #bridgedFrom}).
     */
    public static String of(ServerCall<?, ?> call) {
        SocketAddress bridged = BRIDGED.get();
        return of(bridged != null ? bridged : call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    }

    /**
     * {@code context} for a call that came in over another connection (the Connect port's): its peer
     * is {@code remote}. Set only by the server's own code (the bridge's stream tracer), never from a
     * header a client sends.
     */
    public static Context bridgedFrom(Context context, SocketAddress remote) {
        return context.withValue(BRIDGED, remote);
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
