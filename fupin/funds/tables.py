"""List and export columns of the funds lists. ID numbers and bank accounts are masked, exports too (a bank account
keeps its last 4 digits, ``mask_phone``'s rule for numbers that are not mobiles); no full export is offered."""

from fupin.core.tables import DATE, DATETIME, NUMBER, Column, Table, mask_phone
from fupin.regions.models import Level

from .models import Allocation, AllocationStatus, BatchStatus, Disbursement, DisbursementBatch, Fund, FundSource

funds = Table("资金指标", Fund, [
    Column("编号", "id", NUMBER),
    Column("年度", "year", NUMBER),
    Column("所属区划", "region__name"),
    Column("资金来源", "source", choices=dict(FundSource.choices)),
    Column("资金名称", "title", width=36),
    Column("文号", "document_number", width=24),
    Column("下达日期", "document_date", DATE),
    Column("金额（元）", "amount", NUMBER, width=16),
    Column("备注", "remarks", width=30),
], order_by=("-year", "region", "source", "id"))

allocations = Table("资金分配", Allocation, [
    Column("编号", "id", NUMBER),
    Column("年度", "fund__year", NUMBER),
    Column("资金指标", "fund__title", width=30),
    Column("资金文号", "fund__document_number", width=24),
    Column("乡镇", "region_id", region_level=Level.TOWNSHIP),
    Column("村", "region_id", region_level=Level.VILLAGE),
    Column("资金项目", "item", width=24),
    Column("项目编号", "project_id", NUMBER),
    Column("项目名称", "project__name", width=30),
    Column("分配金额（元）", "amount", NUMBER, width=16),
    Column("分配日期", "allocated_on", DATE),
    Column("分配文号", "document_number", width=20),
    Column("状态", "status", choices=dict(AllocationStatus.choices)),
], order_by=("-allocated_on", "-id"))


disbursements = Table("拨付明细", Disbursement, [
    Column("编号", "id", NUMBER),
    Column("批次", "batch_id", NUMBER),
    Column("行号", "row_no", NUMBER),
    Column("乡镇", "village_id", region_level=Level.TOWNSHIP),
    Column("村", "village_id", region_level=Level.VILLAGE),
    Column("资金文号", "fund__document_number", width=24),
    Column("资金分配编号", "allocation_id", NUMBER),
    Column("项目名称", "allocation__project__name", width=30),
    Column("资金项目", "item", width=20),
    Column("凭证号", "voucher_number", width=18),
    Column("收款人", "payee_name"),
    Column("证件号码", "payee_id_number", sensitive=True, width=22),
    Column("银行账号", "bank_account", sensitive=True, masker=mask_phone, width=22),
    Column("金额（元）", "amount", NUMBER, width=14),
    Column("拨付日期", "paid_on", DATE),
], order_by=("-paid_on", "-id"))

batches = Table("拨付批次", DisbursementBatch, [
    Column("编号", "id", NUMBER),
    Column("文件名", "file_name", width=30),
    Column("上传单位", "region__name"),
    Column("上传人", "uploaded_by__full_name"),
    Column("上传时间", "created", DATETIME),
    Column("状态", "status", choices=dict(BatchStatus.choices)),
    Column("读取行数", "rows", NUMBER),
    Column("入库行数", "loaded", NUMBER),
    Column("合计金额（元）", "total_amount", NUMBER, width=16),
], order_by=("-created", "-id"))
