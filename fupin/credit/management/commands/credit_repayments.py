from fupin.core.commands import ImportCommand
from fupin.credit.imports import import_repayments


class Command(ImportCommand):
    help = ("导入银行还款明细（合同编号或借款人证件号码、还款日期、归还本金、归还利息）：整份文件先校验，"
            "有错误则不写入任何数据并生成错误清单。")
    run = staticmethod(import_repayments)
