/* io.c - #VMEXIT(IOIO): every guest port access is intercepted (all-ones IOPM). EXITINFO1
 * says port, size and direction, EXITINFO2 the RIP of the next instruction (APM Vol 2
 * §15.10.2).
 *   COM1 0x3F8-0x3FF   a virtual 16550 transmitter: bytes written to THR (0x3F8, DLAB = 0)
 *                      collect into lines shown on the host as "[<vm name>] <line>";
 *                      LSR (0x3FD) reads 0x60 (THR empty, transmitter empty).
 *   0xF4               the debug-exit port: the guest's way to end natively, so here too:
 *                      the VM exits with the value as its status.
 *   anything else      reads return all ones, writes are dropped. */
#include "hvmm.h"
#include "../lib/string.h"

#define COM1 0x3F8
#define LSR_THRE_TEMT 0x60
#define LCR_DLAB 0x80

void vserial_flush(struct vm *vm)
{
    struct vserial *v = &vm->serial;
    if (v->len)
        log_guest_line(vm, v->line, v->len);
    v->len = 0;
}

static void vserial_out(struct vm *vm, uint16_t port, uint8_t val)
{
    struct vserial *v = &vm->serial;
    switch (port - COM1) {
    case 0:
        if (v->lcr & LCR_DLAB)
            return;                          /* divisor latch: baud rate, ignored */
        if (val == '\n') {
            vserial_flush(vm);
        } else if (val != '\r') {
            v->line[v->len++] = (char)val;
            if (v->len == sizeof v->line)
                vserial_flush(vm);
        }
        return;
    case 3: v->lcr = val; return;
    case 7: v->scratch = val; return;
    default: return;                         /* IER, FCR, MCR: nothing to model */
    }
}

static uint32_t vserial_in(struct vm *vm, uint16_t port)
{
    switch (port - COM1) {
    case 3: return vm->serial.lcr;
    case 5: return LSR_THRE_TEMT;
    case 7: return vm->serial.scratch;
    default: return 0;                       /* RBR, IER, IIR, MCR, MSR: all quiet */
    }
}

void handle_ioio(struct vm *vm)
{
    struct vmcb_control *c = &vm->vmcb->control;
    struct vmcb_save *s = &vm->vmcb->save;
    uint64_t info = c->exitinfo1;
    uint16_t port = IOIO_PORT_OF(info);
    unsigned size = (info & IOIO_SZ32) ? 4 : (info & IOIO_SZ16) ? 2 : 1;
    uint64_t mask = size == 4 ? 0xFFFFFFFFull : size == 2 ? 0xFFFF : 0xFF;

    if (info & (IOIO_STR | IOIO_REP)) {
        vm_stop(vm, "string I/O (INS/OUTS) on port 0x%x is not emulated", port);
        return;
    }
    if (info & IOIO_TYPE_IN) {
        uint32_t v = (port >= COM1 && port <= COM1 + 7) ? vserial_in(vm, port) : 0xFFFFFFFFu;
        s->rax = (s->rax & ~mask) | (v & mask);
    } else if (port >= COM1 && port <= COM1 + 7) {
        vserial_out(vm, port, (uint8_t)s->rax);
    } else if (port == 0xF4) {
        s->rip = c->exitinfo2;
        vm_exit_normally(vm, s->rax & mask);
        return;
    }
    s->rip = c->exitinfo2;                   /* next RIP */
}
