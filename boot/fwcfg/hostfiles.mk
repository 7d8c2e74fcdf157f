# Host files on the boards with QEMU's fw_cfg (microvm, virt;
# HOSTFILES_MK_<board>): the kernel command line as the fw_cfg file
# opt/tamach/cmdline, RUN's file as opt/tamach/run (boot/fwcfg reads them).
# Included last by the Makefile, with KERNEL_CMDLINE and RUN_FILE set.
# QEMU option syntax doubles a comma inside a value (qemu-options:
# "-fw_cfg").
fwcfg_comma := ,
ifneq ($(RUN_FILE),)
QEMU_ARGS += -fw_cfg 'name=opt/tamach/run,file=$(RUN_FILE)'
endif
ifneq ($(KERNEL_CMDLINE),)
QEMU_ARGS += -fw_cfg 'name=opt/tamach/cmdline,string=$(subst $(fwcfg_comma),$(fwcfg_comma)$(fwcfg_comma),$(KERNEL_CMDLINE))'
endif
