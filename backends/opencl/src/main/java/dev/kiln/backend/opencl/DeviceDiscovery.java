package dev.kiln.backend.opencl;

import java.util.List;

/**
 * Lists the OpenCL devices of this machine. The backend uses {@link JoclDeviceDiscovery};
 * tests substitute failing discoveries to check that Kiln survives a machine without OpenCL.
 * May throw anything a missing native library throws ({@link LinkageError}) or an OpenCL
 * error ({@code CLException}); the backend turns both into an unavailable probe.
 */
@FunctionalInterface
interface DeviceDiscovery {
    List<DeviceInfo> discover();
}
