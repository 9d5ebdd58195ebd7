package org.resmap.catalogue;

import java.util.Objects;
import java.util.Optional;

/**
 * What the resmap device does about a misuse the kernel answers with a bug check: either it refuses
 * the request, as a catalogue scenario shows, or its protocol has no way to even ask for the misuse,
 * for the reason given.
 *
 * @param refusalId the id of the scenario showing the refusal, when the device can be asked
 * @param reason how the device refuses it, or why it cannot be asked, in the project's words
 */
public record DeviceAnswer(Optional<String> refusalId, String reason) {

    /** Checks that there is a reason. */
    public DeviceAnswer {
        Objects.requireNonNull(refusalId, "refusalId");
        Objects.requireNonNull(reason, "reason");
    }

    /** The device can be asked and refuses; the scenario's statement says how. */
    static DeviceAnswer refusedAs(String refusalId) {
        return new DeviceAnswer(Optional.of(refusalId), "");
    }

    /** The device can be asked and refuses; the scenario shows a related refusal, reason says what differs. */
    static DeviceAnswer refusedAs(String refusalId, String reason) {
        return new DeviceAnswer(Optional.of(refusalId), reason);
    }

    /** No request to the device can express this misuse. */
    static DeviceAnswer cannotBeAsked(String reason) {
        return new DeviceAnswer(Optional.empty(), reason);
    }

    /** @return one sentence: the refusal's statement (and the reason), or why the device cannot be asked */
    public String describe() {
        if (refusalId.isEmpty()) {
            return "cannot be asked for: " + reason;
        }
        String statement = Catalogue.byId(refusalId.get()).map(Scenario::statement).orElse(refusalId.get());
        return reason.isEmpty() ? statement + " (" + refusalId.get() + ")"
                : reason + " (" + refusalId.get() + ": " + statement + ")";
    }
}
