package dev.kiln.backend.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.util.Locale;

/**
 * One OpenCL device as discovery found it. The handles are {@code null} for devices made up
 * by tests.
 *
 * @param index          position in the list of all devices over all platforms
 * @param platformName   CL_PLATFORM_NAME
 * @param name           CL_DEVICE_NAME
 * @param vendor         CL_DEVICE_VENDOR
 * @param type           cpu, gpu, accelerator or other (CL_DEVICE_TYPE)
 * @param version        CL_DEVICE_VERSION
 * @param computeUnits   CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemBytes CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocBytes  CL_DEVICE_MAX_MEM_ALLOC_SIZE
 * @param maxWorkGroup   CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param fp64           whether CL_DEVICE_EXTENSIONS lists cl_khr_fp64
 */
record DeviceInfo(int index, cl_platform_id platform, cl_device_id device, String platformName, String name,
                  String vendor, String type, String version, int computeUnits, long globalMemBytes,
                  long maxAllocBytes, long maxWorkGroup, boolean fp64) {

    /** One line for probes and logs. */
    String describe() {
        return name + " (" + vendor + ", " + type + ", " + platformName + ", " + version + "), " + computeUnits
                + " compute units, " + (globalMemBytes >> 20) + " MiB global memory, fp64 " + (fp64 ? "yes" : "no");
    }

    boolean matches(String needle) {
        String n = needle.toLowerCase(Locale.ROOT);
        return name.toLowerCase(Locale.ROOT).contains(n) || vendor.toLowerCase(Locale.ROOT).contains(n)
                || platformName.toLowerCase(Locale.ROOT).contains(n);
    }
}
