// SPDX-License-Identifier: GPL-2.0
/*
 * Classic BPF (what libpcap compiles) to eBPF (what a cgroup_skb program
 * runs), in two passes: each classic instruction becomes a short, fixed
 * sequence; jumps are resolved once every sequence has its place.
 *
 * Registers: R6 the context, R7 the accumulator A, R8 the index X (both
 * 32-bit, so the ALU32 and JMP32 forms keep classic semantics), R10-64 ..
 * R10-4 the scratch memory M[0..15], R10-72 a buffer for packet loads.
 * Packet bytes come through bpf_skb_load_bytes(), which fails cleanly past
 * the end: a classic load out of bounds rejects the packet, as here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/filter.h>
#include <bpf/bpf.h>

#include "filter/filter.h"

#define REG_CTX BPF_REG_6
#define REG_A BPF_REG_7
#define REG_X BPF_REG_8
#define SCRATCH_OFF (-64) /* M[k] at R10 + SCRATCH_OFF + 4k */
#define LOAD_BUF_OFF (-72)

/* The classic opcode fields (linux/filter.h names them BPF_* too, but with
 * the classic meaning; spelled out here to keep the two apart). */
#define C_CLASS(code) ((code)&0x07)
#define C_SIZE(code) ((code)&0x18)
#define C_MODE(code) ((code)&0xe0)
#define C_OP(code) ((code)&0xf0)
#define C_SRC(code) ((code)&0x08)
#define C_RVAL(code) ((code)&0x18)
#define C_MISCOP(code) ((code)&0xf8)

enum target_kind {
	TARGET_CLASSIC, /* the start of classic instruction n */
	TARGET_ACCEPT,
	TARGET_REJECT,
};

struct fixup {
	size_t at; /* the eBPF jump to patch */
	enum target_kind kind;
	size_t n;
};

struct translator {
	struct bpf_insn *out;
	size_t len, cap;
	struct fixup *fixups;
	size_t nfixups, fixcap;
	size_t *starts; /* eBPF index of each classic instruction */
	int err;
};

static void emit(struct translator *t, struct bpf_insn insn)
{
	if (t->err)
		return;
	if (t->len == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct bpf_insn *p = realloc(t->out, cap * sizeof(*p));

		if (!p) {
			t->err = -ENOMEM;
			return;
		}
		t->out = p;
		t->cap = cap;
	}
	t->out[t->len++] = insn;
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

/* A jump whose target is known only later. */
static void emit_jump(struct translator *t, __u8 code, __u8 dst, __u8 src, __s32 imm,
		      enum target_kind kind, size_t n)
{
	if (t->err)
		return;
	if (t->nfixups == t->fixcap) {
		size_t cap = t->fixcap ? t->fixcap * 2 : 64;
		struct fixup *p = realloc(t->fixups, cap * sizeof(*p));

		if (!p) {
			t->err = -ENOMEM;
			return;
		}
		t->fixups = p;
		t->fixcap = cap;
	}
	t->fixups[t->nfixups++] = (struct fixup){ .at = t->len, .kind = kind, .n = n };
	emit(t, insn(code, dst, src, 0, imm));
}

static void emit_mov32_imm(struct translator *t, int reg, __u32 k)
{
	emit(t, insn(BPF_ALU | BPF_MOV | BPF_K, reg, 0, 0, (__s32)k));
}

/* Loads size bytes at offset (already in R2) into reg, in host order. */
static void emit_packet_load(struct translator *t, int size, int reg)
{
	int bytes = size == BPF_W ? 4 : size == BPF_H ? 2 : 1;

	emit(t, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, REG_CTX, 0, 0));
	emit(t, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0));
	emit(t, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, LOAD_BUF_OFF));
	emit(t, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, bytes));
	emit(t, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes));
	emit_jump(t, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, TARGET_REJECT, 0);
	emit(t, insn(BPF_LDX | BPF_MEM | size, reg, BPF_REG_10, LOAD_BUF_OFF, 0));
	if (bytes > 1) /* classic loads are big-endian */
		emit(t, insn(BPF_ALU | BPF_END | BPF_TO_BE, reg, 0, 0, bytes * 8));
}

static int translate_load(struct translator *t, const struct sock_filter *c, int reg)
{
	__u16 code = c->code;

	switch (C_MODE(code)) {
	case BPF_IMM:
		emit_mov32_imm(t, reg, c->k);
		return 0;
	case BPF_MEM:
		if (c->k >= BPF_MEMWORDS)
			return -EINVAL;
		emit(t,
		     insn(BPF_LDX | BPF_MEM | BPF_W, reg, BPF_REG_10, SCRATCH_OFF + 4 * c->k, 0));
		return 0;
	case BPF_LEN:
		emit(t, insn(BPF_LDX | BPF_MEM | BPF_W, reg, REG_CTX,
			     offsetof(struct __sk_buff, len), 0));
		return 0;
	case BPF_ABS:
	case BPF_IND:
	case BPF_MSH:
		break;
	default:
		return -EINVAL;
	}
	/* Offsets at or past 2^31 are the kernel's ancillary data (SKF_AD_*),
	 * which libpcap uses only for link types pidcap does not compile for. */
	if (c->k >= 0x80000000u)
		return -EOPNOTSUPP;
	if (C_MODE(code) == BPF_IND) {
		emit(t, insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_2, REG_X, 0, 0));
		emit(t, insn(BPF_ALU | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, (__s32)c->k));
	} else {
		emit_mov32_imm(t, BPF_REG_2, c->k);
	}
	if (C_MODE(code) == BPF_MSH) { /* X = 4 * (P[k] & 0xf): an IPv4 header's length */
		emit_packet_load(t, BPF_B, REG_X);
		emit(t, insn(BPF_ALU | BPF_AND | BPF_K, REG_X, 0, 0, 0xf));
		emit(t, insn(BPF_ALU | BPF_LSH | BPF_K, REG_X, 0, 0, 2));
		return 0;
	}
	emit_packet_load(t, C_SIZE(code), reg);
	return 0;
}

static int translate_alu(struct translator *t, const struct sock_filter *c)
{
	__u16 op = C_OP(c->code);

	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_DIV:
	case BPF_MOD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
	case BPF_LSH:
	case BPF_RSH:
		break;
	case BPF_NEG:
		emit(t, insn(BPF_ALU | BPF_NEG, REG_A, 0, 0, 0));
		return 0;
	default:
		return -EINVAL;
	}
	if (C_SRC(c->code) == BPF_X) {
		/* Classic BPF rejects the packet on division by zero. */
		if (op == BPF_DIV || op == BPF_MOD)
			emit_jump(t, BPF_JMP | BPF_JEQ | BPF_K, REG_X, 0, 0, TARGET_REJECT, 0);
		emit(t, insn(BPF_ALU | op | BPF_X, REG_A, REG_X, 0, 0));
		return 0;
	}
	if (((op == BPF_DIV || op == BPF_MOD) && c->k == 0) ||
	    ((op == BPF_LSH || op == BPF_RSH) && c->k >= 32))
		return -EINVAL; /* the kernel's classic checker refuses these too */
	emit(t, insn(BPF_ALU | op | BPF_K, REG_A, 0, 0, (__s32)c->k));
	return 0;
}

static int translate_jump(struct translator *t, const struct sock_filter *c, size_t i, size_t count)
{
	__u16 op = C_OP(c->code);
	size_t jt, jf;

	if (op == BPF_JA) {
		if (c->k >= count - i - 1)
			return -EINVAL;
		emit_jump(t, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_CLASSIC, i + 1 + c->k);
		return 0;
	}
	if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
		return -EINVAL;
	jt = i + 1 + c->jt;
	jf = i + 1 + c->jf;
	if (jt >= count || jf >= count)
		return -EINVAL;
	if (C_SRC(c->code) == BPF_X)
		emit_jump(t, BPF_JMP32 | op | BPF_X, REG_A, REG_X, 0, TARGET_CLASSIC, jt);
	else
		emit_jump(t, BPF_JMP32 | op | BPF_K, REG_A, 0, (__s32)c->k, TARGET_CLASSIC, jt);
	if (jf != i + 1)
		emit_jump(t, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_CLASSIC, jf);
	return 0;
}

static int translate_one(struct translator *t, const struct sock_filter *c, size_t i, size_t count)
{
	switch (C_CLASS(c->code)) {
	case BPF_LD:
		return translate_load(t, c, REG_A);
	case BPF_LDX:
		if (C_MODE(c->code) == BPF_MSH || C_MODE(c->code) == BPF_ABS ||
		    C_MODE(c->code) == BPF_IND)
			return C_MODE(c->code) == BPF_MSH ? translate_load(t, c, REG_X) : -EINVAL;
		return translate_load(t, c, REG_X);
	case BPF_ST:
	case BPF_STX:
		if (c->k >= BPF_MEMWORDS)
			return -EINVAL;
		emit(t,
		     insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
			  C_CLASS(c->code) == BPF_ST ? REG_A : REG_X, SCRATCH_OFF + 4 * c->k, 0));
		return 0;
	case BPF_ALU:
		return translate_alu(t, c);
	case BPF_JMP:
		return translate_jump(t, c, i, count);
	case BPF_RET:
		if (C_RVAL(c->code) == BPF_K) {
			emit_jump(t, BPF_JMP | BPF_JA, 0, 0, 0,
				  c->k ? TARGET_ACCEPT : TARGET_REJECT, 0);
			return 0;
		}
		emit_jump(t, BPF_JMP32 | BPF_JEQ | BPF_K, C_RVAL(c->code) == BPF_A ? REG_A : REG_X,
			  0, 0, TARGET_REJECT, 0);
		emit_jump(t, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_ACCEPT, 0);
		return 0;
	case BPF_MISC:
		if (C_MISCOP(c->code) == BPF_TAX)
			emit(t, insn(BPF_ALU | BPF_MOV | BPF_X, REG_X, REG_A, 0, 0));
		else if (C_MISCOP(c->code) == BPF_TXA)
			emit(t, insn(BPF_ALU | BPF_MOV | BPF_X, REG_A, REG_X, 0, 0));
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

int filter__translate(const struct sock_filter *insns, size_t count, int prog_array_fd,
		      uint32_t index, struct bpf_insn **out)
{
	struct translator t = {};
	size_t i, accept, reject;
	int err = 0, off;

	*out = NULL;
	if (count == 0 || count > BPF_MAXINSNS)
		return -EINVAL;
	t.starts = calloc(count, sizeof(*t.starts));
	if (!t.starts)
		return -ENOMEM;

	/* Prologue: keep the context; A, X, M[] and the load buffer start at 0,
	 * as in classic BPF (and the verifier wants every stack slot written). */
	emit(&t, insn(BPF_ALU64 | BPF_MOV | BPF_X, REG_CTX, BPF_REG_1, 0, 0));
	emit_mov32_imm(&t, REG_A, 0);
	emit_mov32_imm(&t, REG_X, 0);
	for (off = LOAD_BUF_OFF; off < 0; off += 8)
		emit(&t, insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, off, 0));

	for (i = 0; i < count && !err; i++) {
		t.starts[i] = t.len;
		err = translate_one(&t, &insns[i], i, count);
	}
	/* Classic programs end in a return; falling off the end cannot be. */
	if (!err && C_CLASS(insns[count - 1].code) != BPF_RET)
		err = -EINVAL;

	reject = t.len;
	emit(&t, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
	emit(&t, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	accept = t.len;
	emit(&t, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, REG_CTX, 0, 0));
	emit(&t, insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, prog_array_fd));
	emit(&t, insn(0, 0, 0, 0, 0));
	emit(&t, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, (__s32)index));
	emit(&t, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call));
	emit(&t, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
	emit(&t, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	if (!err)
		err = t.err;

	for (i = 0; i < t.nfixups && !err; i++) {
		const struct fixup *f = &t.fixups[i];
		size_t target = f->kind == TARGET_ACCEPT   ? accept
				: f->kind == TARGET_REJECT ? reject
							   : t.starts[f->n];
		long delta = (long)target - (long)f->at - 1;

		if (delta < -32768 || delta > 32767)
			err = -E2BIG;
		else
			t.out[f->at].off = (__s16)delta;
	}
	free(t.starts);
	free(t.fixups);
	if (err) {
		free(t.out);
		return err;
	}
	*out = t.out;
	return (int)t.len;
}

int filter__load(const struct bpf_insn *insns, size_t count, int attach_type, char *log,
		 size_t logsize)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach_type, .log_buf = log,
		    .log_size = log ? logsize : 0, .log_level = log ? 1 : 0);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "pidcap_filter", "GPL", insns, count,
			       &opts);

	return fd < 0 ? -errno : fd;
}
