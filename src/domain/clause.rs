//! The clauses of ISO 9001:2015 (GB/T 19001-2016) that a finding can be raised against:
//! 4 to 10.3 with their subclauses. A `ClauseNumber` is always one of them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Clause {
    pub number: &'static str,
    pub title_en: &'static str,
    pub title_zh: &'static str,
}

/// Every clause, in the standard's order.
pub const CLAUSES: &[Clause] = &[
    Clause {
        number: "4",
        title_en: "Context of the organization",
        title_zh: "组织环境",
    },
    Clause {
        number: "4.1",
        title_en: "Understanding the organization and its context",
        title_zh: "理解组织及其环境",
    },
    Clause {
        number: "4.2",
        title_en: "Understanding the needs and expectations of interested parties",
        title_zh: "理解相关方的需求和期望",
    },
    Clause {
        number: "4.3",
        title_en: "Determining the scope of the quality management system",
        title_zh: "确定质量管理体系的范围",
    },
    Clause {
        number: "4.4",
        title_en: "Quality management system and its processes",
        title_zh: "质量管理体系及其过程",
    },
    Clause {
        number: "4.4.1",
        title_en: "Quality management system and its processes",
        title_zh: "质量管理体系及其过程",
    },
    Clause {
        number: "4.4.2",
        title_en: "Quality management system and its processes",
        title_zh: "质量管理体系及其过程",
    },
    Clause {
        number: "5",
        title_en: "Leadership",
        title_zh: "领导作用",
    },
    Clause {
        number: "5.1",
        title_en: "Leadership and commitment",
        title_zh: "领导作用和承诺",
    },
    Clause {
        number: "5.1.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "5.1.2",
        title_en: "Customer focus",
        title_zh: "以顾客为关注焦点",
    },
    Clause {
        number: "5.2",
        title_en: "Policy",
        title_zh: "方针",
    },
    Clause {
        number: "5.2.1",
        title_en: "Establishing the quality policy",
        title_zh: "制定质量方针",
    },
    Clause {
        number: "5.2.2",
        title_en: "Communicating the quality policy",
        title_zh: "沟通质量方针",
    },
    Clause {
        number: "5.3",
        title_en: "Organizational roles, responsibilities and authorities",
        title_zh: "组织的岗位、职责和权限",
    },
    Clause {
        number: "6",
        title_en: "Planning",
        title_zh: "策划",
    },
    Clause {
        number: "6.1",
        title_en: "Actions to address risks and opportunities",
        title_zh: "应对风险和机遇的措施",
    },
    Clause {
        number: "6.1.1",
        title_en: "Actions to address risks and opportunities",
        title_zh: "应对风险和机遇的措施",
    },
    Clause {
        number: "6.1.2",
        title_en: "Actions to address risks and opportunities",
        title_zh: "应对风险和机遇的措施",
    },
    Clause {
        number: "6.2",
        title_en: "Quality objectives and planning to achieve them",
        title_zh: "质量目标及其实现的策划",
    },
    Clause {
        number: "6.2.1",
        title_en: "Quality objectives and planning to achieve them",
        title_zh: "质量目标及其实现的策划",
    },
    Clause {
        number: "6.2.2",
        title_en: "Quality objectives and planning to achieve them",
        title_zh: "质量目标及其实现的策划",
    },
    Clause {
        number: "6.3",
        title_en: "Planning of changes",
        title_zh: "变更的策划",
    },
    Clause {
        number: "7",
        title_en: "Support",
        title_zh: "支持",
    },
    Clause {
        number: "7.1",
        title_en: "Resources",
        title_zh: "资源",
    },
    Clause {
        number: "7.1.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "7.1.2",
        title_en: "People",
        title_zh: "人员",
    },
    Clause {
        number: "7.1.3",
        title_en: "Infrastructure",
        title_zh: "基础设施",
    },
    Clause {
        number: "7.1.4",
        title_en: "Environment for the operation of processes",
        title_zh: "过程运行环境",
    },
    Clause {
        number: "7.1.5",
        title_en: "Monitoring and measuring resources",
        title_zh: "监视和测量资源",
    },
    Clause {
        number: "7.1.5.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "7.1.5.2",
        title_en: "Measurement traceability",
        title_zh: "测量溯源",
    },
    Clause {
        number: "7.1.6",
        title_en: "Organizational knowledge",
        title_zh: "组织的知识",
    },
    Clause {
        number: "7.2",
        title_en: "Competence",
        title_zh: "能力",
    },
    Clause {
        number: "7.3",
        title_en: "Awareness",
        title_zh: "意识",
    },
    Clause {
        number: "7.4",
        title_en: "Communication",
        title_zh: "沟通",
    },
    Clause {
        number: "7.5",
        title_en: "Documented information",
        title_zh: "成文信息",
    },
    Clause {
        number: "7.5.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "7.5.2",
        title_en: "Creating and updating",
        title_zh: "创建和更新",
    },
    Clause {
        number: "7.5.3",
        title_en: "Control of documented information",
        title_zh: "成文信息的控制",
    },
    Clause {
        number: "7.5.3.1",
        title_en: "Control of documented information",
        title_zh: "成文信息的控制",
    },
    Clause {
        number: "7.5.3.2",
        title_en: "Control of documented information",
        title_zh: "成文信息的控制",
    },
    Clause {
        number: "8",
        title_en: "Operation",
        title_zh: "运行",
    },
    Clause {
        number: "8.1",
        title_en: "Operational planning and control",
        title_zh: "运行的策划和控制",
    },
    Clause {
        number: "8.2",
        title_en: "Requirements for products and services",
        title_zh: "产品和服务的要求",
    },
    Clause {
        number: "8.2.1",
        title_en: "Customer communication",
        title_zh: "顾客沟通",
    },
    Clause {
        number: "8.2.2",
        title_en: "Determining the requirements for products and services",
        title_zh: "产品和服务要求的确定",
    },
    Clause {
        number: "8.2.3",
        title_en: "Review of the requirements for products and services",
        title_zh: "产品和服务要求的评审",
    },
    Clause {
        number: "8.2.3.1",
        title_en: "Review of the requirements for products and services",
        title_zh: "产品和服务要求的评审",
    },
    Clause {
        number: "8.2.3.2",
        title_en: "Review of the requirements for products and services",
        title_zh: "产品和服务要求的评审",
    },
    Clause {
        number: "8.2.4",
        title_en: "Changes to requirements for products and services",
        title_zh: "产品和服务要求的更改",
    },
    Clause {
        number: "8.3",
        title_en: "Design and development of products and services",
        title_zh: "产品和服务的设计和开发",
    },
    Clause {
        number: "8.3.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "8.3.2",
        title_en: "Design and development planning",
        title_zh: "设计和开发策划",
    },
    Clause {
        number: "8.3.3",
        title_en: "Design and development inputs",
        title_zh: "设计和开发输入",
    },
    Clause {
        number: "8.3.4",
        title_en: "Design and development controls",
        title_zh: "设计和开发控制",
    },
    Clause {
        number: "8.3.5",
        title_en: "Design and development outputs",
        title_zh: "设计和开发输出",
    },
    Clause {
        number: "8.3.6",
        title_en: "Design and development changes",
        title_zh: "设计和开发更改",
    },
    Clause {
        number: "8.4",
        title_en: "Control of externally provided processes, products and services",
        title_zh: "外部提供的过程、产品和服务的控制",
    },
    Clause {
        number: "8.4.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "8.4.2",
        title_en: "Type and extent of control",
        title_zh: "控制类型和程度",
    },
    Clause {
        number: "8.4.3",
        title_en: "Information for external providers",
        title_zh: "提供给外部供方的信息",
    },
    Clause {
        number: "8.5",
        title_en: "Production and service provision",
        title_zh: "生产和服务提供",
    },
    Clause {
        number: "8.5.1",
        title_en: "Control of production and service provision",
        title_zh: "生产和服务提供的控制",
    },
    Clause {
        number: "8.5.2",
        title_en: "Identification and traceability",
        title_zh: "标识和可追溯性",
    },
    Clause {
        number: "8.5.3",
        title_en: "Property belonging to customers or external providers",
        title_zh: "顾客或外部供方的财产",
    },
    Clause {
        number: "8.5.4",
        title_en: "Preservation",
        title_zh: "防护",
    },
    Clause {
        number: "8.5.5",
        title_en: "Post-delivery activities",
        title_zh: "交付后的活动",
    },
    Clause {
        number: "8.5.6",
        title_en: "Control of changes",
        title_zh: "更改控制",
    },
    Clause {
        number: "8.6",
        title_en: "Release of products and services",
        title_zh: "产品和服务的放行",
    },
    Clause {
        number: "8.7",
        title_en: "Control of nonconforming outputs",
        title_zh: "不合格输出的控制",
    },
    Clause {
        number: "8.7.1",
        title_en: "Control of nonconforming outputs",
        title_zh: "不合格输出的控制",
    },
    Clause {
        number: "8.7.2",
        title_en: "Control of nonconforming outputs",
        title_zh: "不合格输出的控制",
    },
    Clause {
        number: "9",
        title_en: "Performance evaluation",
        title_zh: "绩效评价",
    },
    Clause {
        number: "9.1",
        title_en: "Monitoring, measurement, analysis and evaluation",
        title_zh: "监视、测量、分析和评价",
    },
    Clause {
        number: "9.1.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "9.1.2",
        title_en: "Customer satisfaction",
        title_zh: "顾客满意",
    },
    Clause {
        number: "9.1.3",
        title_en: "Analysis and evaluation",
        title_zh: "分析与评价",
    },
    Clause {
        number: "9.2",
        title_en: "Internal audit",
        title_zh: "内部审核",
    },
    Clause {
        number: "9.2.1",
        title_en: "Internal audit",
        title_zh: "内部审核",
    },
    Clause {
        number: "9.2.2",
        title_en: "Internal audit",
        title_zh: "内部审核",
    },
    Clause {
        number: "9.3",
        title_en: "Management review",
        title_zh: "管理评审",
    },
    Clause {
        number: "9.3.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "9.3.2",
        title_en: "Management review inputs",
        title_zh: "管理评审输入",
    },
    Clause {
        number: "9.3.3",
        title_en: "Management review outputs",
        title_zh: "管理评审输出",
    },
    Clause {
        number: "10",
        title_en: "Improvement",
        title_zh: "改进",
    },
    Clause {
        number: "10.1",
        title_en: "General",
        title_zh: "总则",
    },
    Clause {
        number: "10.2",
        title_en: "Nonconformity and corrective action",
        title_zh: "不合格和纠正措施",
    },
    Clause {
        number: "10.2.1",
        title_en: "Nonconformity and corrective action",
        title_zh: "不合格和纠正措施",
    },
    Clause {
        number: "10.2.2",
        title_en: "Nonconformity and corrective action",
        title_zh: "不合格和纠正措施",
    },
    Clause {
        number: "10.3",
        title_en: "Continual improvement",
        title_zh: "持续改进",
    },
];

/// A clause number that exists in ISO 9001:2015.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClauseNumber(&'static Clause);

impl ClauseNumber {
    pub fn parse(raw: &str) -> Result<ClauseNumber, crate::domain::message::Msg> {
        let wanted = raw.trim().trim_start_matches("ISO 9001:2015").trim();
        CLAUSES
            .iter()
            .find(|c| c.number == wanted)
            .map(ClauseNumber)
            .ok_or(crate::domain::message::Msg::ClauseUnknown)
    }

    pub fn as_str(self) -> &'static str {
        self.0.number
    }

    pub fn clause(self) -> &'static Clause {
        self.0
    }
}

impl fmt::Display for ClauseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.number)
    }
}

/// The clause of a stored number (for display); `None` for anything unknown.
pub fn clause(number: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_clauses_parse() {
        for number in ["4", "4.4.1", "7.1.5.2", "8.5.1", "9.2", "10.3"] {
            assert_eq!(ClauseNumber::parse(number).unwrap().as_str(), number);
        }
        assert_eq!(
            ClauseNumber::parse(" 8.7 ").unwrap().clause().title_en,
            "Control of nonconforming outputs"
        );
    }

    #[test]
    fn others_do_not() {
        for number in [
            "", "3", "4.5", "10.4", "11", "8.5.7", "7.1.5.3", "8.", "abc", "0.1",
        ] {
            assert!(ClauseNumber::parse(number).is_err(), "{number}");
        }
    }

    #[test]
    fn list_is_ordered_and_unique() {
        let key = |n: &str| {
            n.split('.')
                .map(|p| p.parse::<u32>().unwrap())
                .collect::<Vec<_>>()
        };
        for pair in CLAUSES.windows(2) {
            assert!(
                key(pair[0].number) < key(pair[1].number),
                "{} then {}",
                pair[0].number,
                pair[1].number
            );
        }
        assert_eq!(CLAUSES.first().unwrap().number, "4");
        assert_eq!(CLAUSES.last().unwrap().number, "10.3");
    }
}
