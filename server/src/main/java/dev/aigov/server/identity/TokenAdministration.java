package dev.aigov.server.identity;

import dev.aigov.core.InvalidRequest;
import dev.aigov.core.Vocabulary;
import java.time.Clock;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jooq.exception.IntegrityConstraintViolationException;

/** Mints, revokes and lists tokens: what the {@code token} command line does. */
public final class TokenAdministration {
    private final PrincipalRepository principals;
    private final Clock clock;

    public TokenAdministration(PrincipalRepository principals, Clock clock) {
        this.principals = principals;
        this.clock = clock;
    }

    /** A freshly minted token: shown once, never stored. */
    public record MintedToken(Principal principal, String token) {
    }

    /** A validated request for a token: who, what, and where (empty workspaces: every workspace). */
    public record TokenRequest(String name, Set<Capability> capabilities, Set<String> workspaces) {
    }

    /**
     * Validates a token request without touching the database, so that a typo is reported at once.
     *
     * @param capabilityKeys capability names such as {@code ai.decisions.evaluate}
     * @param workspaces     the workspaces its capabilities are limited to; empty for every workspace
     */
    public static TokenRequest validate(String name, Collection<String> capabilityKeys, Collection<String> workspaces) {
        Vocabulary.requireId("name", name);
        if (capabilityKeys.isEmpty()) {
            throw new InvalidRequest("capability", "give at least one of: " + Capability.allKeys());
        }
        Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        for (String key : capabilityKeys) {
            capabilities.add(Capability.fromKey(key).orElseThrow(
                    () -> new InvalidRequest("capability", "unknown capability '" + key + "'; known: " + Capability.allKeys())));
        }
        Set<String> limitedTo = new LinkedHashSet<>();
        for (String workspace : workspaces) {
            limitedTo.add(Vocabulary.requireId("workspace", workspace));
        }
        if (!limitedTo.isEmpty()) {
            List<String> platform = capabilities.stream().filter(c -> c.plane() == Capability.Plane.PLATFORM)
                    .map(Capability::key).toList();
            if (!platform.isEmpty()) {
                throw new InvalidRequest("workspace", String.join(", ", platform)
                        + (platform.size() == 1 ? " is a platform capability" : " are platform capabilities")
                        + " and cannot be limited to workspaces; mint a separate token for the platform plane");
            }
        }
        return new TokenRequest(name, capabilities, limitedTo);
    }

    /** Mints a token for a new principal; see {@link #validate} for the arguments. */
    public MintedToken create(String name, Collection<String> capabilityKeys, Collection<String> workspaces) {
        return create(validate(name, capabilityKeys, workspaces));
    }

    public MintedToken create(TokenRequest request) {
        if (principals.activeNameExists(request.name())) {
            throw nameTaken(request.name());
        }
        String token = Tokens.newToken();
        Principal principal = new Principal(PrincipalRepository.newId(), request.name(), request.capabilities(),
                request.workspaces().isEmpty() ? Optional.empty() : Optional.of(request.workspaces()));
        try {
            principals.insert(principal, Tokens.hash(token), Tokens.hint(token), clock.instant());
        } catch (IntegrityConstraintViolationException e) {
            // Another process minted the same name between the check and the insert.
            throw nameTaken(request.name());
        }
        return new MintedToken(principal, token);
    }

    private static InvalidRequest nameTaken(String name) {
        return new InvalidRequest("name", "a token named '" + name + "' already exists; revoke it first or choose another name");
    }

    /** Revokes the active token of that name; false when there is none. */
    public boolean revoke(String name) {
        Vocabulary.requireId("name", name);
        return principals.revoke(name, clock.instant());
    }

    public List<PrincipalRepository.Listing> list(boolean includeRevoked) {
        return principals.list(includeRevoked);
    }
}
