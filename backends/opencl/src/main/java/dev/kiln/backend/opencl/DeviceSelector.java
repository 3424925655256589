package dev.kiln.backend.opencl;

import java.util.List;
import java.util.Locale;

/**
 * Chooses the device {@code kiln.opencl.device} names among those discovery found: an index,
 * a type ({@code cpu}, {@code gpu}, {@code accelerator}) or a name substring. Without a
 * selector a GPU is preferred, then an accelerator, then a CPU device: a CPU device (PoCL)
 * computes on the same cores as the CPU backend, so it is the last resort.
 */
final class DeviceSelector {
    private DeviceSelector() { }

    /**
     * @throws IllegalArgumentException with a reason naming the selector and the devices there are
     */
    static DeviceInfo select(List<DeviceInfo> devices, String selector) {
        if (devices.isEmpty()) throw new IllegalArgumentException("no OpenCL device on any platform");
        String s = selector == null ? "" : selector.trim();
        if (s.isEmpty()) {
            for (String type : List.of("gpu", "accelerator", "cpu")) {
                for (DeviceInfo d : devices) if (d.type().equals(type)) return d;
            }
            return devices.get(0);
        }
        if (s.chars().allMatch(Character::isDigit)) {
            int i;
            try {
                i = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                i = Integer.MAX_VALUE;
            }
            if (i < devices.size()) return devices.get(i);
            throw new IllegalArgumentException(OpenClConfig.DEVICE_CONFIG + "=" + s + ": there are only " + devices.size()
                    + " devices: " + list(devices));
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (List.of("cpu", "gpu", "accelerator").contains(lower)) {
            for (DeviceInfo d : devices) if (d.type().equals(lower)) return d;
            throw new IllegalArgumentException(OpenClConfig.DEVICE_CONFIG + "=" + s + ": no device of that type; there are "
                    + list(devices));
        }
        for (DeviceInfo d : devices) if (d.matches(s)) return d;
        throw new IllegalArgumentException(OpenClConfig.DEVICE_CONFIG + "=" + s + ": no device name, vendor or platform contains it; "
                + "there are " + list(devices));
    }

    private static String list(List<DeviceInfo> devices) {
        StringBuilder b = new StringBuilder();
        for (DeviceInfo d : devices) {
            if (!b.isEmpty()) b.append("; ");
            b.append(d.index()).append(": ").append(d.name()).append(" (").append(d.type()).append(')');
        }
        return b.toString();
    }
}
