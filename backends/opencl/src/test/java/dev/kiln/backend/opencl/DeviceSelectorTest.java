package dev.kiln.backend.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kiln.opencl.device} picks by index, type or name; without it a GPU wins. */
class DeviceSelectorTest {
    private static DeviceInfo device(int index, String name, String vendor, String type) {
        return new DeviceInfo(index, null, null, "Platform " + index, name, vendor, type, "OpenCL 3.0", 4, 1L << 30,
                1L << 28, 256, true);
    }

    private static final List<DeviceInfo> DEVICES = List.of(
            device(0, "pthread-skylake", "GenuineIntel", "cpu"),
            device(1, "Radeon RX 7900", "AMD", "gpu"),
            device(2, "Alveo U250", "Xilinx", "accelerator"));

    @Test
    void withoutASelectorTheFirstGpuIsChosen() {
        assertEquals("Radeon RX 7900", DeviceSelector.select(DEVICES, "").name());
    }

    @Test
    void withoutAGpuAnAcceleratorIsPreferredToACpu() {
        assertEquals("Alveo U250", DeviceSelector.select(List.of(DEVICES.get(0), DEVICES.get(2)), "").name());
    }

    @Test
    void anIndexSelectsThatDevice() {
        assertEquals("pthread-skylake", DeviceSelector.select(DEVICES, "0").name());
        assertEquals("Alveo U250", DeviceSelector.select(DEVICES, "2").name());
    }

    @Test
    void aTypeSelectsTheFirstDeviceOfThatType() {
        assertEquals("pthread-skylake", DeviceSelector.select(DEVICES, "CPU").name());
    }

    @Test
    void aNameSubstringMatchesDeviceVendorOrPlatformIgnoringCase() {
        assertEquals("Radeon RX 7900", DeviceSelector.select(DEVICES, "radeon").name());
        assertEquals("Alveo U250", DeviceSelector.select(DEVICES, "xilinx").name());
    }

    @Test
    void anIndexOutOfRangeIsRefusedListingTheDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSelector.select(DEVICES, "3"));
        assertTrue(e.getMessage().contains("kiln.opencl.device=3") && e.getMessage().contains("1: Radeon RX 7900 (gpu)"),
                e.getMessage());
    }

    @Test
    void aNameNoDeviceHasIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSelector.select(DEVICES, "geforce"));
        assertTrue(e.getMessage().contains("geforce"), e.getMessage());
    }

    @Test
    void aTypeNoDeviceHasIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DeviceSelector.select(List.of(DEVICES.get(0)), "gpu"));
    }
}
