/* hypercall.h - the HVMM hypercall ABI, shared by the hypervisor and the guests.
 *
 * A guest detects the HVMM with CPUID: leaf 1 ECX[31] (hypervisor present) set and leaf
 * 0x40000000 returning EBX:ECX:EDX = "PacificaHVMM". It then calls with VMMCALL
 * (0F 01 D9), which the HVMM intercepts (#VMEXIT 0x81); natively VMMCALL raises #UD, so a
 * guest must not use it without the check above.
 *
 *   in:  RAX = function, RBX/RCX = arguments
 *   out: RAX = result (HC_ERROR for an unknown function or bad argument), RBX/RCX as listed;
 *        every other register is preserved.
 *
 *   HC_PRINT (0)  RBX = guest-physical address of the text (guest-virtual == guest-physical:
 *                 identity-mapped guests), RCX = length in bytes (at most HC_PRINT_MAX).
 *                 The HVMM prints "[<vm name>] <text>" on its serial port and log.
 *                 Returns RAX = bytes printed.
 *   HC_YIELD (1)  give up the rest of this time slice; returns RAX = 0 when scheduled again.
 *   HC_TIME  (2)  RAX = host timer ticks since the HVMM started, RBX = host TSC,
 *                 RCX = timer ticks per second.
 *   HC_EXIT  (3)  RBX = status: this VM stops for good (status 0 = success). No return.
 *   HC_INFO  (4)  RAX = VM number (1, 2, ...), RBX = ASID, RCX = guest RAM in bytes.
 */
#ifndef HVMM_HYPERCALL_H
#define HVMM_HYPERCALL_H

#define HC_PRINT 0
#define HC_YIELD 1
#define HC_TIME  2
#define HC_EXIT  3
#define HC_INFO  4

#define HC_PRINT_MAX 256
#define HC_ERROR ((unsigned long)-1)

#define HVMM_CPUID_LEAF   0x40000000u
#define HVMM_VENDOR       "PacificaHVMM"   /* EBX, ECX, EDX of leaf 0x40000000 */

#endif
